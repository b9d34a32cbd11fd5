//! Memory the next child process finds ready: [`warm_free_memory`].
//!
//! On a virtual machine whose balloon reports free pages to the host (virtio-balloon free
//! page reporting, as on this project's Firecracker machines), memory left free for a couple
//! of seconds is handed back, and the next process to touch it waits for the host to fault
//! it in again — in the guest's kernel time, inside whatever that process is timing. Which
//! pages a child gets then depends on what ran just before it: the same pandas + Arrow read
//! took 0.34 s straight after another such read and 0.8 s after a pause or after a process
//! of another shape (2026-12-03), a bimodal time that no number of rounds settles. A machine
//! without such a balloon, what the figures stand for, never pays it. Touching as much
//! memory as the child will use and freeing it just before the child starts puts recently
//! used pages at the head of the kernel's free lists (reported pages go to the tail), so
//! every child starts from the same state.

use crate::ProcError;

/// Touches `bytes` of fresh anonymous memory (in huge pages where the kernel allows) and
/// frees it, so that a process started right after finds that much memory already backed
/// by the host ([`self`]). Costs ~0.15 s a GiB when the memory is warm already, up to ~2 s
/// a GiB when the host must back it (time the child would otherwise have paid, at random).
pub fn warm_free_memory(bytes: u64) -> Result<(), ProcError> {
    let page = 4096usize;
    let len = usize::try_from(bytes).unwrap_or(usize::MAX) / page * page;
    if len == 0 {
        return Ok(());
    }
    // SAFETY: a private anonymous mapping of `len` bytes, written only inside its bounds,
    // then unmapped; nothing else holds a pointer to it.
    unsafe {
        let ptr = libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        );
        if ptr == libc::MAP_FAILED {
            return Err(ProcError::io(
                format!("mapping {} MiB to warm before a measured run", len >> 20),
                std::io::Error::last_os_error(),
            ));
        }
        // Huge pages where allowed: fewer faults, and the 2 MiB blocks a large allocation
        // of the child (Arrow's, NumPy's) asks for. Advice only: its failure changes nothing.
        libc::madvise(ptr, len, libc::MADV_HUGEPAGE);
        let base = ptr.cast::<u8>();
        for offset in (0..len).step_by(page) {
            std::ptr::write_volatile(base.add(offset), 1);
        }
        libc::munmap(ptr, len);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warming_maps_touches_and_frees() {
        let before = crate::own_anon_kib();
        warm_free_memory(64 << 20).expect("64 MiB");
        warm_free_memory(0).expect("nothing to do");
        // Freed again: this process holds no more than it did (within allocator noise).
        assert!(crate::own_anon_kib() < before + 16 * 1024);
    }
}
