"""What the report shows: tables formatted for reading, and the facts its sentences are made from (as data)."""
