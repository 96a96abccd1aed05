#pragma once
// WorkerPool: threads kept between jobs, for work that one request spreads over several cores
// (the searches of a batch query, the parse of a large body).
//
// Why not a thread per job: measured on the 2-core VM this project runs on, a new thread began
// work 1.3-2.7 ms after it was started (the scheduler queues a new thread behind the running one;
// a woken one is placed on the idle core), against 4-6 ms for a whole batch of 100 searches.
//
// Thread safety: Run() may be called from several threads at once. Each call takes idle workers
// for itself and starts new ones when none is idle, so concurrent calls never wait for each
// other; the pool holds as many workers as the most helpers ever in use at one time.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace quiver {

class WorkerPool {
 public:
  WorkerPool() = default;
  ~WorkerPool();  // stops and joins the workers; no Run() may be in progress
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `work` on the calling thread and at the same time on `helpers` workers; returns when every
  // copy has returned. `work` shares out the job itself (e.g. an atomic counter over the items), so
  // it stays correct however many copies run. If no worker can be started, fewer copies run.
  // An exception from the caller's copy is rethrown once the helpers' copies have returned.
  // REQUIRES: `work` does not throw on a worker (a worker has nobody to hand it to).
  void Run(size_t helpers, const std::function<void()>& work);

  // Calls item(i) once for each i below `count`, on the calling thread and up to `threads` - 1
  // workers, which take the next i from a shared counter. REQUIRES: `item` does not throw on a
  // worker.
  void ForEach(size_t count, size_t threads, const std::function<void(size_t)>& item);

  // The one pool of the process (a batch query's searches, a large body's parse).
  static WorkerPool& Shared();

 private:
  struct Worker {
    std::mutex mu;
    std::condition_variable cv;
    const std::function<void()>* job = nullptr;  // set by Run(), cleared by the worker when done
    bool stop = false;
    std::thread thread;
  };
  static void Loop(Worker* w);
  // Idle workers, taking up to `count`, starting new ones for the rest (as far as possible).
  std::vector<Worker*> Take(size_t count);

  std::mutex mu_;
  std::vector<std::unique_ptr<Worker>> workers_;  // all of them
  std::vector<Worker*> idle_;
};

}  // namespace quiver
