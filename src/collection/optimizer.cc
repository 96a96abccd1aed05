#include "collection/optimizer.h"

#include <algorithm>

#include "collection/collection.h"

namespace quiver {

Optimizer& Optimizer::Instance() {
  static Optimizer optimizer;
  return optimizer;
}

Optimizer::Optimizer() : thread_([this] { Run(); }) {}

Optimizer::~Optimizer() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Optimizer::Request(Collection* c) {
  {
    std::lock_guard lock(mu_);
    if (stop_ || std::find(queue_.begin(), queue_.end(), c) != queue_.end()) return;
    queue_.push_back(c);
  }
  cv_.notify_all();
}

void Optimizer::Forget(Collection* c) {
  std::unique_lock lock(mu_);
  queue_.erase(std::remove(queue_.begin(), queue_.end(), c), queue_.end());
  cv_.wait(lock, [&] { return running_ != c; });
}

bool Optimizer::IsQueued(const Collection* c) const {
  std::lock_guard lock(mu_);
  return std::find(queue_.begin(), queue_.end(), c) != queue_.end();
}

void Optimizer::SetPaused(bool paused) {
  {
    std::lock_guard lock(mu_);
    paused_ = paused;
  }
  cv_.notify_all();
}

void Optimizer::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stop_ || (!paused_ && !queue_.empty()); });
    if (stop_) return;
    running_ = queue_.front();
    queue_.pop_front();
    lock.unlock();
    running_->RunOptimization();  // running_ stays valid: Forget() waits for it
    lock.lock();
    running_ = nullptr;
    cv_.notify_all();
  }
}

}  // namespace quiver
