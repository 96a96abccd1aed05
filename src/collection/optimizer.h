#pragma once
// Optimizer: the process's one background thread that builds collections' HNSW indexes, one
// collection at a time, in the order they asked. A collection asks (Request) when a write or a
// config change leaves a vector with enough unindexed data; the thread then calls its
// RunOptimization(), which copies the vectors under the collection's shared lock, builds with no
// lock held and swaps the result in under the exclusive lock. Searches never wait for a build.
//
// Thread safety: every method may be called from any thread. The optimizer's mutex is a leaf: it is
// never held while a collection lock is taken, so a collection may call Request() while holding its
// own lock.
//
// Lifetime: the optimizer holds plain pointers. A collection calls Forget() in its destructor,
// which removes it from the queue and waits for its build in progress to end (the collection
// has told that build to stop first).

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace quiver {

class Collection;

class Optimizer {
 public:
  // The process-wide optimizer; its thread starts on first use and is joined at exit.
  static Optimizer& Instance();

  // Queues `c` unless it is queued already. A collection that is being optimized is queued again,
  // so a request made during a build gets its own run.
  void Request(Collection* c);
  // Removes `c` from the queue and waits until no build of `c` runs.
  void Forget(Collection* c);
  bool IsQueued(const Collection* c) const;
  // Test seam: while paused, queued builds wait (a test then runs them itself, deterministically).
  void SetPaused(bool paused);

  ~Optimizer();

 private:
  Optimizer();
  void Run();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Collection*> queue_;
  Collection* running_ = nullptr;
  bool stop_ = false;
  bool paused_ = false;
  std::thread thread_;  // last: started when everything else is ready
};

}  // namespace quiver
