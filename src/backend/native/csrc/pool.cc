// A small persistent thread pool: workers start on first use, poll for the next job for a while after
// each one (yielding the core to anything else runnable), then sleep on a condition variable; they are
// never joined (they die with the process). A job's parts, which may outnumber the threads, are claimed
// from a counter by whoever comes first, the caller included: a worker that the OS schedules late (a
// busy machine) finds the parts taken and the caller never waits for it. Small jobs leave sleeping
// workers asleep. One job runs at a time; a second caller (another JavaScript thread) runs its job's
// parts serially instead of waiting. CHAINRULE_SPIN_US overrides how long workers poll (kSpinUs).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "common.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CR_PAUSE() _mm_pause()
#else
#define CR_PAUSE() ((void)0)
#endif

namespace cr {
namespace {

constexpr int kSpin = 4000;  // pause instructions the caller spins through waiting for workers (~50-100 µs)

// How long an idle worker polls for the next job before it sleeps. The kernels of a training step come
// tens to hundreds of µs apart; waking a sleeping worker costs 50-150 µs on the bench VM, and on a busy
// machine the woken worker often lands on the caller's core and preempts it (a 2 × 25 µs job then took
// 160 µs instead of 50). Polling yields the core whenever anything else wants it.
constexpr int kSpinUs = 300;

int64_t nowNs() {
  using namespace std::chrono;
  return duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

int64_t spinNs() {
  static const int64_t ns = [] {
    const char* e = std::getenv("CHAINRULE_SPIN_US");
    const long long us = e != nullptr ? std::atoll(e) : kSpinUs;
    return static_cast<int64_t>(us < 0 ? 0 : us) * 1000;
  }();
  return ns;
}

// state_: [job generation : 32 | closed : 1 | workers inside the job : 31]
constexpr uint64_t kClosed = 1ull << 31;
constexpr uint64_t kActive = kClosed - 1;

class Pool {
 public:
  int threads() const { return want_.load(std::memory_order_relaxed); }
  void setThreads(int n) { want_.store(n < 1 ? 1 : (n > 256 ? 256 : n), std::memory_order_relaxed); }

  void run(int nt, TaskFn fn, void* ctx, bool wake) {
    std::unique_lock<std::mutex> job(jobLock_, std::try_to_lock);
    if (job.owns_lock()) grow((nt < threads() ? nt : threads()) - 1);
    if (!job.owns_lock() || (!wake && awake_.load(std::memory_order_acquire) == 0)) {
      for (int t = 0; t < nt; t++) fn(ctx, t, nt);
      return;
    }
    {
      std::lock_guard<std::mutex> lk(m_);
      fn_ = fn;
      ctx_ = ctx;
      nt_ = nt;
      next_.store(0, std::memory_order_relaxed);
      generation_++;
      state_.store(static_cast<uint64_t>(static_cast<uint32_t>(generation_)) << 32, std::memory_order_seq_cst);
      published_.store(generation_, std::memory_order_release);
    }
    if (wake) start_.notify_all();
    for (int t; (t = next_.fetch_add(1, std::memory_order_acq_rel)) < nt;) fn(ctx, t, nt);
    // Close the job to latecomers, then wait for the workers still inside it.
    state_.fetch_or(kClosed, std::memory_order_seq_cst);
    for (int i = 0; i < kSpin && (state_.load(std::memory_order_acquire) & kActive) != 0; i++) CR_PAUSE();
    if ((state_.load(std::memory_order_acquire) & kActive) != 0) {
      std::unique_lock<std::mutex> lk(m_);
      done_.wait(lk, [&] { return (state_.load(std::memory_order_acquire) & kActive) == 0; });
    }
  }

 private:
  void grow(int workers) {
    while (static_cast<int>(workers_.size()) < workers) {
      const uint64_t seen = published_.load(std::memory_order_acquire);
      awake_.fetch_add(1, std::memory_order_acq_rel);
      workers_.emplace_back([this, seen] { loop(seen); });
      workers_.back().detach();
    }
  }

  void loop(uint64_t seen) {
    for (;;) {
      const int64_t until = nowNs() + spinNs();
      for (int i = 1; published_.load(std::memory_order_acquire) == seen; i++) {
        CR_PAUSE();
        if ((i & 63) != 0) continue;
        if (nowNs() > until) break;
        std::this_thread::yield();
      }
      TaskFn fn;
      void* ctx;
      int nt;
      {
        std::unique_lock<std::mutex> lk(m_);
        if (published_.load(std::memory_order_acquire) == seen) {
          awake_.fetch_sub(1, std::memory_order_acq_rel);
          start_.wait(lk, [&] { return published_.load(std::memory_order_acquire) != seen; });
          awake_.fetch_add(1, std::memory_order_acq_rel);
        }
        seen = generation_;
        fn = fn_;
        ctx = ctx_;
        nt = nt_;
      }
      // Join the job unless it has moved on or closed; once inside, the caller waits for us.
      uint64_t s = state_.load(std::memory_order_seq_cst);
      bool joined = false;
      while ((s >> 32) == static_cast<uint32_t>(seen) && !(s & kClosed))
        if (state_.compare_exchange_weak(s, s + 1, std::memory_order_seq_cst)) {
          joined = true;
          break;
        }
      if (!joined) continue;
      for (int t; (t = next_.fetch_add(1, std::memory_order_acq_rel)) < nt;) fn(ctx, t, nt);
      s = state_.fetch_sub(1, std::memory_order_seq_cst) - 1;
      if ((s & kActive) == 0 && (s & kClosed)) {
        std::lock_guard<std::mutex> lk(m_);
        done_.notify_one();
      }
    }
  }

  std::atomic<int> want_{defaultThreads()};
  std::vector<std::thread> workers_;
  std::mutex jobLock_;
  std::mutex m_;
  std::condition_variable start_;
  std::condition_variable done_;
  uint64_t generation_ = 0;                // written under m_
  std::atomic<uint64_t> published_{0};     // generation_, readable without the lock (for spinning)
  std::atomic<uint64_t> state_{0};
  std::atomic<int> next_{0};
  std::atomic<int> awake_{0};  // workers not asleep on start_
  TaskFn fn_ = nullptr;
  void* ctx_ = nullptr;
  int nt_ = 1;

  static int defaultThreads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : static_cast<int>(n);
  }
};

// Leaked on purpose: a static destructor would run while detached workers may still wait on it.
Pool& pool() {
  static Pool* p = new Pool();
  return *p;
}

}  // namespace

int numThreads() { return pool().threads(); }
void setNumThreads(int n) { pool().setThreads(n); }
void runParallel(int nt, TaskFn fn, void* ctx, bool wake) {
  if (nt <= 1) {
    fn(ctx, 0, 1);
    return;
  }
  pool().run(nt, fn, ctx, wake);
}

}  // namespace cr
