#include "common/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

namespace quiver {
namespace {

using namespace std::chrono_literals;

// Each copy of the work checks in and waits (up to 10 s) until `copies` have checked in: it
// returns true only when that many copies really ran at the same time.
class Rendezvous {
 public:
  explicit Rendezvous(int copies) : copies_(copies) {}
  void Arrive() {
    ++arrived_;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (arrived_.load() < copies_ && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(100us);
    }
    if (arrived_.load() >= copies_) ++met_;
  }
  int met() const { return met_.load(); }

 private:
  const int copies_;
  std::atomic<int> arrived_{0}, met_{0};
};

TEST(WorkerPoolTest, RunsTheWorkOnTheCallerAndTheHelpersAtOnce) {
  WorkerPool pool;
  Rendezvous all(3);
  std::mutex mu;
  std::set<std::thread::id> threads;
  pool.Run(2, [&] {
    {
      std::lock_guard lock(mu);
      threads.insert(std::this_thread::get_id());
    }
    all.Arrive();
  });
  EXPECT_EQ(all.met(), 3);  // Run() returned after all three copies
  EXPECT_EQ(threads.size(), 3u);
  EXPECT_TRUE(threads.count(std::this_thread::get_id()));
}

TEST(WorkerPoolTest, ForEachCallsEachItemOnceOnAtMostThatManyThreads) {
  WorkerPool pool;
  for (size_t threads : {1u, 3u}) {
    std::vector<std::atomic<int>> calls(1000);
    std::mutex mu;
    std::set<std::thread::id> seen;
    pool.ForEach(calls.size(), threads, [&](size_t i) {
      ++calls[i];
      std::lock_guard lock(mu);
      seen.insert(std::this_thread::get_id());
    });
    for (size_t i = 0; i < calls.size(); ++i) ASSERT_EQ(calls[i], 1) << "item " << i;
    EXPECT_LE(seen.size(), threads);
  }
  // No more copies than items, and none for no items.
  Rendezvous two(2);
  std::atomic<int> calls{0};
  pool.ForEach(2, 8, [&](size_t) {
    ++calls;
    two.Arrive();
  });
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(two.met(), 2);  // the two items ran at once
  pool.ForEach(0, 4, [&](size_t) { ++calls; });
  EXPECT_EQ(calls, 2);
}

TEST(WorkerPoolTest, NoHelpersRunsOnTheCallerOnly) {
  WorkerPool pool;
  std::vector<std::thread::id> seen;
  pool.Run(0, [&] { seen.push_back(std::this_thread::get_id()); });
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0], std::this_thread::get_id());
}

TEST(WorkerPoolTest, WorkersAreKeptBetweenRuns) {
  WorkerPool pool;
  std::mutex mu;
  std::set<std::thread::id> threads;
  for (int run = 0; run < 20; ++run) {
    std::atomic<int> copies{0};
    pool.Run(2, [&] {
      ++copies;
      std::lock_guard lock(mu);
      threads.insert(std::this_thread::get_id());
    });
    EXPECT_EQ(copies.load(), 3);
  }
  EXPECT_EQ(threads.size(), 3u);  // the caller and the same two workers, every time
}

// The caller's copy throwing must not leave the frame while the helpers still run `work`.
TEST(WorkerPoolTest, TheCallersExceptionWaitsForTheHelpers) {
  WorkerPool pool;
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> finished{0};
  EXPECT_THROW(pool.Run(2,
                        [&] {
                          if (std::this_thread::get_id() == caller) throw std::runtime_error("x");
                          std::this_thread::sleep_for(50ms);
                          ++finished;
                        }),
               std::runtime_error);
  EXPECT_EQ(finished.load(), 2);
  std::atomic<int> copies{0};
  pool.Run(2, [&] { ++copies; });  // the workers are idle again
  EXPECT_EQ(copies.load(), 3);
}

// Concurrent callers each get helpers of their own (none waits for another's job), and every
// share of every job is done exactly once.
TEST(WorkerPoolTest, ConcurrentCallersShareOutTheirOwnJobs) {
  WorkerPool pool;
  constexpr int kCallers = 4, kItems = 1000;
  std::vector<std::vector<std::atomic<int>>> done(kCallers);
  for (auto& items : done) items = std::vector<std::atomic<int>>(kItems);
  Rendezvous every_copy(kCallers * 2);
  std::vector<std::thread> callers;
  for (int c = 0; c < kCallers; ++c) {
    callers.emplace_back([&, c] {
      std::atomic<int> next{0};
      pool.Run(1, [&] {
        every_copy.Arrive();
        for (int i = next++; i < kItems; i = next++) ++done[c][i];
      });
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(every_copy.met(), kCallers * 2);
  for (const auto& items : done) {
    for (const auto& n : items) ASSERT_EQ(n.load(), 1);
  }
}

}  // namespace
}  // namespace quiver
