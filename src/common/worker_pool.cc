#include "common/worker_pool.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <system_error>

namespace quiver {

WorkerPool::~WorkerPool() {
  for (auto& w : workers_) {
    {
      std::lock_guard lock(w->mu);
      w->stop = true;
    }
    w->cv.notify_one();
    w->thread.join();
  }
}

WorkerPool& WorkerPool::Shared() {
  static WorkerPool pool;
  return pool;
}

void WorkerPool::Loop(Worker* w) {
  std::unique_lock lock(w->mu);
  while (true) {
    w->cv.wait(lock, [w] { return w->job != nullptr || w->stop; });
    if (w->stop) return;
    lock.unlock();
    (*w->job)();
    lock.lock();
    w->job = nullptr;
    w->cv.notify_all();  // the Run() waiting for this copy
  }
}

std::vector<WorkerPool::Worker*> WorkerPool::Take(size_t count) {
  std::lock_guard lock(mu_);
  std::vector<Worker*> taken;
  while (taken.size() < count && !idle_.empty()) {
    taken.push_back(idle_.back());
    idle_.pop_back();
  }
  while (taken.size() < count) {
    auto w = std::make_unique<Worker>();
    try {
      w->thread = std::thread(Loop, w.get());
    } catch (const std::system_error&) {
      break;  // no thread to be had: the copies that run do the whole job
    }
    taken.push_back(w.get());
    workers_.push_back(std::move(w));
  }
  return taken;
}

void WorkerPool::Run(size_t helpers, const std::function<void()>& work) {
  std::vector<Worker*> taken = helpers == 0 ? std::vector<Worker*>{} : Take(helpers);
  for (Worker* w : taken) {
    {
      std::lock_guard lock(w->mu);
      w->job = &work;
    }
    w->cv.notify_one();
  }
  // The workers hold a pointer to `work`: they must be done before an exception of the caller's
  // copy leaves this frame.
  std::exception_ptr failed;
  try {
    work();
  } catch (...) {
    failed = std::current_exception();
  }
  for (Worker* w : taken) {
    std::unique_lock lock(w->mu);
    w->cv.wait(lock, [w] { return w->job == nullptr; });
  }
  if (!taken.empty()) {
    std::lock_guard lock(mu_);
    idle_.insert(idle_.end(), taken.begin(), taken.end());
  }
  if (failed) std::rethrow_exception(failed);
}

void WorkerPool::ForEach(size_t count, size_t threads, const std::function<void(size_t)>& item) {
  std::atomic<size_t> next{0};
  const std::function<void()> work = [&] {
    for (size_t i = next++; i < count; i = next++) item(i);
  };
  threads = std::min(threads, count);
  Run(threads > 1 ? threads - 1 : 0, work);
}

}  // namespace quiver
