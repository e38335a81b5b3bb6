int main() { return 0; }  // skeleton, replaced by the real benchmark
