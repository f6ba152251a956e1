"""gradstep's pictures: graphs, step-by-step backprop, plots (filled in by later work)."""
