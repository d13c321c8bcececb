// The CLI's memory allocator: jemalloc (Debian's libjemalloc) on transparent huge pages.
// Reading a large history builds millions of small strings and vectors; with glibc's malloc the
// heap grows 4 KiB at a time and the kernel zeroes each page on first touch: 45% of loading a
// 3.8 MB initial revision was spent in the kernel. jemalloc with huge pages ("thp:always", on
// Debian's default THP mode "madvise") makes those faults 2 MiB each: a full check at N=1000,
// R=1000 took 0.7x to 0.8x the time it took with glibc's malloc, measured side by side. Only the
// retort executable links it: applications that embed the runtime keep their own allocator.

// jemalloc reads its options from this symbol when it starts (MALLOC_CONF can still override
// them). One arena: what the loading threads allocate and the main thread frees (the revisions,
// before the models are read) is reused by the main thread instead of held per thread, which kept
// the peak at N=10,000 tables 15% higher.
extern "C" {
const char* malloc_conf = "narenas:1,thp:always,metadata_thp:always";
}
