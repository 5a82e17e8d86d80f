// The page side of tools/check_interactive.py: added to every page before it loads, called by name from Python.
// JupyterLab exposes itself as window.jupyterapp (LabApp.expose_app_in_browser).
window.checkInteractive = (() => {
    const STDERR = '[data-mime-type="application/vnd.jupyter.stderr"]'; // JupyterLab renders errors and stderr so
    const STDOUT = '.widget-output [data-mime-type="application/vnd.jupyter.stdout"]';
    const panel = path =>
        [...window.jupyterapp.shell.widgets('main')].find(widget => widget.context && widget.context.path === path);
    const kernel = path => panel(path).sessionContext.session.kernel;
    const hash = text => {
        let value = 2166136261;
        for (let i = 0; i < text.length; i++) value = Math.imul(value ^ text.charCodeAt(i), 16777619);
        return `${(value >>> 0).toString(16)}:${text.length}`;
    };
    return {
        // The notebook is shown, its file and kernel ready, and the kernel idle.
        kernelReady(path) {
            const notebook = window.jupyterapp && panel(path);
            const session = notebook && notebook.sessionContext.session;
            const shown = notebook && window.jupyterapp.shell.currentWidget === notebook && notebook.isVisible;
            return Boolean(shown && notebook.context.isReady && notebook.sessionContext.isReady && session &&
                session.kernel && session.kernel.status === 'idle');
        },
        // Then JupyterLab writes the kernel's spec and language into the notebook's metadata, as it does on opening.
        async kernelInfo(path) {
            await kernel(path).info;
            await kernel(path).spec;
        },
        // Records the outcome of the next save in window.checkInteractiveSaved.
        watchSave(path) {
            window.checkInteractiveSaved = null;
            panel(path).context.saveState.connect((_, state) => {
                if (state !== 'started') window.checkInteractiveSaved = state;
            });
        },
        // Runs the cells in order, as Run All does; then marks the last as the section. Records the outcome in
        // window.checkInteractiveRun: {failed: the index of a cell that failed, or null}.
        runCells(path, indices) {
            const notebook = panel(path);
            window.checkInteractiveRun = null;
            (async () => {
                for (const index of indices) {
                    notebook.content.activeCellIndex = index;
                    if (!(await window.jupyterapp.commands.execute('notebook:run-cell'))) {
                        window.checkInteractiveRun = {failed: index};
                        return;
                    }
                }
                const section = notebook.content.widgets[indices[indices.length - 1]].node;
                section.setAttribute('data-check-interactive', 'section');
                window.checkInteractiveRun = {failed: null};
            })();
        },
        // [cell index, problem] for each error and stderr output of a code cell.
        cellProblems(path) {
            const found = [];
            panel(path).content.widgets.forEach((cell, index) => {
                if (cell.model.type !== 'code') return;
                for (const output of cell.model.outputs.toJSON()) {
                    const text = [].concat(output.text || '').join('').split('\n')[0];
                    const stderr = output.output_type === 'stream' && output.name === 'stderr';
                    if (output.output_type === 'error') found.push([index, `${output.ename}: ${output.evalue}`]);
                    else if (stderr) found.push([index, `stderr: ${text}`]);
                }
            });
            return found;
        },
        // The section's state: a hash of each image it shows, the kernel's status, the error and stderr outputs that
        // appeared since the last look (a traceback by its last line, stderr by its first), and what its widgets
        // printed.
        sectionState(path) {
            const section = document.querySelector('[data-check-interactive="section"]');
            const errors = [...section.querySelectorAll(`${STDERR}:not([data-check-interactive])`)].map(output => {
                output.setAttribute('data-check-interactive', 'seen');
                const lines = output.innerText.trim().split('\n');
                return output.innerText.includes('Traceback (most recent call last)') ? lines[lines.length - 1] : lines[0];
            });
            return {
                figure: [...section.querySelectorAll('img')].map(image => hash(image.src)),
                busy: kernel(path).status !== 'idle',
                errors,
                printed: [...section.querySelectorAll(STDOUT)].map(output => output.innerText).join(''),
            };
        },
        async shutDown(path) {
            await panel(path).sessionContext.shutdown();
        },
    };
})();
