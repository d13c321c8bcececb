// A source that has nothing to do with the models: touching it must not rerun the scan.
int unrelated() { return 42; }
