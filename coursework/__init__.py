"""Code behind the coursework report: backpropagation from scratch and convolutional autoencoders."""
