//! Where the reader's second thread starts running.
//!
//! On the 2-CPU virtual machines this project is built and measured on, a
//! thread created while its creator kept working ran only after 2.1 ms
//! (median of 30): Linux left it queued on its creator's CPU until the next
//! load balancing moved it to the idle one. Pinned to the other CPU before
//! it ran, it ran after 0.2 ms. The reader's second thread lives a few
//! milliseconds on a typical large file, so that delay was a quarter of its
//! time.
//!
//! So the creator pins the new thread to the CPUs it may use other than its
//! own, and the new thread, once running, takes back every CPU it may use:
//! the pin only decides where it starts. Elsewhere than on Linux, or with
//! one CPU, nothing is done.

use std::thread::JoinHandle;

/// Where to start a thread: taken on the creating thread, before creating.
#[derive(Clone)]
pub(super) struct Placement {
    #[cfg(target_os = "linux")]
    inner: Option<linux::Masks>,
}

/// The CPUs this thread may use other than the one it runs on.
pub(super) fn elsewhere() -> Placement {
    Placement {
        #[cfg(target_os = "linux")]
        inner: linux::Masks::current(),
    }
}

impl Placement {
    /// On the creating thread, right after creating `thread`: pins it to the
    /// other CPUs.
    pub fn start<T>(&self, thread: &JoinHandle<T>) {
        #[cfg(target_os = "linux")]
        if let Some(m) = &self.inner {
            m.pin(thread);
        }
        #[cfg(not(target_os = "linux"))]
        let _ = thread;
    }

    /// On the new thread, first thing: once the pin is in place, every CPU
    /// the process may use is allowed again.
    pub fn settle(&self) {
        #[cfg(target_os = "linux")]
        if let Some(m) = &self.inner {
            m.unpin();
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::os::unix::thread::JoinHandleExt;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::thread::JoinHandle;

    const SET: usize = std::mem::size_of::<libc::cpu_set_t>();

    #[derive(Clone)]
    pub(super) struct Masks {
        /// Every CPU the creating thread may use.
        all: libc::cpu_set_t,
        /// The same without the one it runs on.
        others: libc::cpu_set_t,
        /// The pin is in place (or failed): the new thread may unpin.
        pinned: Arc<AtomicBool>,
    }

    impl Masks {
        pub fn current() -> Option<Masks> {
            // SAFETY: a zeroed cpu_set_t is a valid empty set; the calls get
            // its size and write only into it.
            unsafe {
                let mut all: libc::cpu_set_t = std::mem::zeroed();
                if libc::sched_getaffinity(0, SET, &mut all) != 0 {
                    return None;
                }
                let here = usize::try_from(libc::sched_getcpu()).ok()?;
                let mut others = all;
                if here >= libc::CPU_SETSIZE as usize {
                    return None;
                }
                libc::CPU_CLR(here, &mut others);
                (libc::CPU_COUNT(&others) > 0).then(|| Masks {
                    all,
                    others,
                    pinned: Arc::new(AtomicBool::new(false)),
                })
            }
        }

        pub fn pin<T>(&self, thread: &JoinHandle<T>) {
            // SAFETY: the handle names a thread that has not been joined
            // (we hold its handle), and the set is a valid cpu_set_t.
            unsafe {
                libc::pthread_setaffinity_np(thread.as_pthread_t(), SET, &self.others);
            }
            self.pinned.store(true, Ordering::Release);
        }

        pub fn unpin(&self) {
            // The creator pins right after creating; until then, let it run
            // (this thread may share its CPU).
            while !self.pinned.load(Ordering::Acquire) {
                std::thread::yield_now();
            }
            // SAFETY: 0 is the calling thread; the set is a valid cpu_set_t.
            unsafe {
                libc::sched_setaffinity(0, SET, &self.all);
            }
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn mask() -> libc::cpu_set_t {
        // SAFETY: as in `Masks::current`.
        unsafe {
            let mut m: libc::cpu_set_t = std::mem::zeroed();
            assert_eq!(
                libc::sched_getaffinity(0, std::mem::size_of_val(&m), &mut m),
                0
            );
            m
        }
    }

    /// Once running, the new thread may use every CPU its creator may: the
    /// pin does not outlive the start. (Where it started is the scheduler's
    /// to say; docs/benchmarks.md has the timings.)
    #[test]
    fn a_placed_thread_keeps_no_pin() {
        let before = mask();
        let placed = elsewhere();
        // SAFETY: a valid set.
        let cpus = unsafe { libc::CPU_COUNT(&before) };
        assert_eq!(placed.inner.is_some(), cpus > 1, "{cpus} CPUs");
        let there = placed.clone();
        let handle = std::thread::spawn(move || {
            there.settle();
            mask()
        });
        placed.start(&handle);
        let after = handle.join().unwrap();
        // SAFETY: valid sets.
        assert!(
            unsafe { libc::CPU_EQUAL(&before, &after) },
            "the thread stayed pinned"
        );
        assert!(
            unsafe { libc::CPU_EQUAL(&before, &mask()) },
            "the creator's own CPUs changed"
        );
    }
}
