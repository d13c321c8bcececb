// Independent pieces of work (the files of a history, the tables of a snapshot) on a few
// threads: each thread takes the next piece; results keep the pieces' order.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace retort {

/// Threads for `count` pieces: one per core up to four, and one thread (none started) for
/// fewer than `per_thread` pieces each, where starting a thread costs more than it saves.
[[nodiscard]] inline unsigned threads_for(std::size_t count, std::size_t per_thread) {
  // Asked once: glibc reads /sys for it on every call, and a history of 1,000 revisions asks
  // once per revision.
  static const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::clamp<std::size_t>(count / std::max<std::size_t>(per_thread, 1), 1, std::min(cores, 4U)));
}

/// `work(state, i)` for i in [0, count), on `threads` threads (the caller's among them), each
/// with a `State` of its own (a parser whose buffers it reuses, say). The first piece that
/// throws, in piece order, has its exception rethrown once all have run.
template <class State, class F>
void for_each_in_parallel(std::size_t count, unsigned threads, F work) {
  std::vector<std::exception_ptr> failed(count);
  std::atomic<std::size_t> next{0};
  const auto run = [&] {
    State state;
    for (std::size_t i; (i = next.fetch_add(1)) < count;) {
      try {
        work(state, i);
      } catch (...) {
        failed[i] = std::current_exception();
      }
    }
  };
  {
    std::vector<std::jthread> helpers;
    for (unsigned t = 1; t < threads; ++t) helpers.emplace_back(run);
    run();
  }  // joined
  for (const auto& f : failed)
    if (f) std::rethrow_exception(f);
}

/// The results of `work(state, i)` (default-constructible), in order; see for_each_in_parallel.
template <class State, class F>
[[nodiscard]] auto map_in_parallel(std::size_t count, unsigned threads, F work) {
  // Each result is written in its place: no second copy of thousands of them at the peak.
  std::vector<decltype(work(std::declval<State&>(), std::size_t{0}))> out(count);
  for_each_in_parallel<State>(count, threads, [&](State& state, std::size_t i) { out[i] = work(state, i); });
  return out;
}

}  // namespace retort
