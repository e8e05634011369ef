// The cached thread pool: reuse, spawning when all threads are blocked,
// expiry of idle threads, shutdown. Clean under ThreadSanitizer.
#include <atomic>
#include <chrono>
#include <thread>

#include "../exec/thread_pool.h"
#include "check.h"

using namespace hogwild;

TEST(pool_reuses_idle_threads) {
  ThreadPool pool;
  for (int i = 0; i < 50; ++i) {
    WaitGroup wg(1);
    pool.submit([&] { wg.done(); });
    wg.wait();
    std::this_thread::sleep_for(std::chrono::microseconds(200));  // let the thread go idle again
  }
  CHECK(pool.threadCount() <= 2);
}

TEST(pool_spawns_when_all_threads_are_blocked) {
  ThreadPool pool;
  std::atomic<bool> released{false};
  WaitGroup wg(3);
  // Two tasks block until a third releases them: only works with a thread each.
  for (int i = 0; i < 2; ++i) {
    pool.submit([&] {
      while (!released.load()) std::this_thread::yield();
      wg.done();
    });
  }
  pool.submit([&] {
    released.store(true);
    wg.done();
  });
  wg.wait();
  CHECK(pool.threadCount() >= 3);
  pool.shutdown();
  CHECK_THROWS_CODE(pool.submit([] {}), codes::kAborted);
}

TEST(pool_idle_threads_expire) {
  ThreadPool pool(std::chrono::milliseconds(20));
  WaitGroup wg(1);
  pool.submit([&] { wg.done(); });
  wg.wait();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(pool.threadCount() == 0);
  WaitGroup again(1);
  pool.submit([&] { again.done(); });  // joins the expired thread, starts a new one
  again.wait();
}

TEST(pool_shutdown_runs_queued_tasks_and_joins) {
  std::atomic<int> ran{0};
  {
    ThreadPool pool;
    for (int i = 0; i < 20; ++i) pool.submit([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      ran.fetch_add(1);
    });
  }  // the destructor shuts down: every task ran, every thread joined
  CHECK(ran.load() == 20);
}

TEST(pool_swallows_task_exceptions) {
  ThreadPool pool;
  pool.submit([] { throw std::runtime_error("escaped"); });
  WaitGroup wg(1);
  pool.submit([&] { wg.done(); });
  wg.wait();
}

HWTEST_MAIN()
