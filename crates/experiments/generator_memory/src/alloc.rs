//! A global allocator that counts the bytes a thread holds while it measures.
//!
//! [`measure_peak`] switches counting on for the calling thread only, runs a closure, and
//! returns the peak of (bytes allocated − bytes freed) by that thread during the closure.
//! Other threads, and this thread outside a measurement, pay one thread-local read per
//! allocation. The counters are thread-locals with constant initialisers and no destructors,
//! so reading them never allocates (which an allocator must not do).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting on request.
pub struct Counting;

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    static CURRENT: Cell<i64> = const { Cell::new(0) };
    static PEAK: Cell<i64> = const { Cell::new(0) };
}

fn add(bytes: usize) {
    // try_with: during thread teardown the slots may be gone; then nothing is counted.
    let _ = ON.try_with(|on| {
        if on.get() {
            let now = CURRENT.with(|c| {
                let v = c.get() + bytes as i64;
                c.set(v);
                v
            });
            PEAK.with(|p| p.set(p.get().max(now)));
        }
    });
}

fn sub(bytes: usize) {
    let _ = ON.try_with(|on| {
        if on.get() {
            CURRENT.with(|c| c.set(c.get() - bytes as i64));
        }
    });
}

// SAFETY: every method forwards to the system allocator with the caller's arguments and
// only updates thread-local counters that never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as received.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            add(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as received.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            add(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as received.
        unsafe { System.dealloc(ptr, layout) };
        sub(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded as received.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            add(new_size);
            sub(layout.size());
        }
        p
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` with counting on for this thread; returns its result and the peak number of bytes
/// this thread held above what it held when `f` started.
pub fn measure_peak<T>(f: impl FnOnce() -> T) -> (T, u64) {
    CURRENT.with(|c| c.set(0));
    PEAK.with(|p| p.set(0));
    ON.with(|on| on.set(true));
    let out = f();
    ON.with(|on| on.set(false));
    let peak = PEAK.with(Cell::get).max(0) as u64;
    (out, peak)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_the_closure_holds_at_its_peak() {
        let (len, peak) = measure_peak(|| {
            let v: Vec<u64> = std::hint::black_box(vec![7; 1000]);
            let w: Vec<u8> = std::hint::black_box(Vec::with_capacity(500));
            v.len() + w.capacity()
        });
        assert_eq!(len, 1500);
        assert_eq!(peak, 8000 + 500);
        // Freed before the next allocation: the peak is the larger one, not the sum.
        let ((), peak) = measure_peak(|| {
            drop(std::hint::black_box(vec![0u8; 4096]));
            drop(std::hint::black_box(vec![0u8; 1024]));
        });
        assert_eq!(peak, 4096);
        // Nothing allocated, nothing counted — whatever other threads do meanwhile.
        let (s, peak) = measure_peak(|| (0..1000u64).sum::<u64>());
        assert_eq!((s, peak), (499_500, 0));
    }
}
