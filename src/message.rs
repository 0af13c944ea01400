//! Messages and the zero-copy buffers behind `NN_MSG`.
//!
//! Every message body lives in a [`Chunk`]: one heap block with a small
//! header in front of the bytes. `nn_allocmsg` hands out a pointer to the
//! bytes; `nn_send(NN_MSG)` and `nn_recv(NN_MSG)` pass a chunk between the
//! application and the library without copying, and the network reader
//! allocates chunks of the exact message size so a received body can be
//! handed to the application as it is.
//!
//! (Over 500 lines only with its unit tests, which start at `mod tests`:
//! the message types are about 430 lines.)

use std::alloc::{self, Layout};
use std::ptr::NonNull;

/// Marks a live chunk, so a foreign pointer given to `nn_freemsg` is refused.
const MAGIC: u64 = 0x6e6e_6d73_6763_6b31; // "nnmsgck1"
/// nn_allocmsg zero-fills buffers up to this size (a memset of a few
/// hundred nanoseconds at most); see [`Chunk::alloc_for_application`].
pub const ZEROED_ALLOCMSG_MAX: usize = 4096;
/// Alignment of the block and of the bytes that follow the header.
const ALIGN: usize = 16;

#[repr(C)]
struct ChunkHeader {
    magic: u64,
    /// Bytes in use.
    len: usize,
    /// Bytes the block has room for (more than `len` after a shrink).
    cap: usize,
    _pad: usize,
}

const HDR: usize = std::mem::size_of::<ChunkHeader>();
const _: () = assert!(HDR.is_multiple_of(ALIGN));

/// An owned, fixed-length byte buffer that can cross the C boundary by pointer.
/// Its bytes are initialised (or, for a large nn_allocmsg buffer, were
/// handed to C to fill): see [`FillingChunk`] for one whose bytes are
/// still arriving.
pub struct Chunk {
    hdr: NonNull<ChunkHeader>,
}

// SAFETY: a Chunk owns its block exclusively, like a Box<[u8]>.
unsafe impl Send for Chunk {}
// SAFETY: shared access only reads the bytes, like &[u8].
unsafe impl Sync for Chunk {}

fn layout(len: usize) -> Option<Layout> {
    let size = HDR.checked_add(len)?;
    Layout::from_size_align(size, ALIGN).ok()
}

impl Chunk {
    /// A zero-filled chunk of `len` bytes; `None` if it cannot be allocated.
    /// (Large blocks come from fresh zero pages, so this costs no memset.)
    pub fn zeroed(len: usize) -> Option<Chunk> {
        Chunk::allocate(len, true)
    }

    fn allocate(len: usize, zero: bool) -> Option<Chunk> {
        let layout = layout(len)?;
        if layout.size() > isize::MAX as usize {
            return None;
        }
        // SAFETY: the layout has a non-zero size (HDR > 0).
        let p = unsafe {
            if zero {
                alloc::alloc_zeroed(layout)
            } else {
                alloc::alloc(layout)
            }
        } as *mut ChunkHeader;
        let hdr = NonNull::new(p)?;
        // SAFETY: the block is at least HDR bytes and suitably aligned.
        unsafe {
            hdr.as_ptr().write(ChunkHeader {
                magic: MAGIC,
                len,
                cap: len,
                _pad: 0,
            })
        };
        Some(Chunk { hdr })
    }

    /// A buffer for nn_allocmsg, handed straight to C. Buffers up to
    /// [`ZEROED_ALLOCMSG_MAX`] bytes are zero-filled (nanomsg's are not):
    /// an NN_MSG control buffer the application fills only in part then
    /// parses as empty headers rather than heap leftovers, and a message
    /// sent longer than what was written carries zeros, not another
    /// message's bytes. Larger ones are not: zeroing cost more than passing
    /// them (inproc 1 MiB NN_MSG latency 27 µs against ZeroMQ's 8.5; glibc
    /// serves a freed large block again from the heap, where calloc must
    /// memset). Their unwritten bytes are read only after the pointer has
    /// crossed the C boundary and come back through [`Chunk::from_raw`],
    /// like a buffer filled by read(2): what C left there, never a
    /// `Chunk` this side built over memory nothing wrote.
    pub fn alloc_for_application(len: usize) -> Option<*mut u8> {
        Chunk::allocate(len, len <= ZEROED_ALLOCMSG_MAX).map(Chunk::into_raw)
    }

    /// A chunk holding a copy of `data` (no zero-fill first).
    pub fn from_slice(data: &[u8]) -> Option<Chunk> {
        let c = Chunk::allocate(data.len(), false)?;
        // SAFETY: the block has room for data.len() bytes after the header,
        // and they are all written here before anything reads them.
        unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), c.data_ptr(), data.len()) };
        Some(c)
    }

    pub fn len(&self) -> usize {
        // SAFETY: hdr points at a live header owned by self.
        unsafe { (*self.hdr.as_ptr()).len }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn data_ptr(&self) -> *mut u8 {
        // SAFETY: the bytes start right after the header inside the same block.
        unsafe { (self.hdr.as_ptr() as *mut u8).add(HDR) }
    }

    pub fn as_slice(&self) -> &[u8] {
        // SAFETY: the block holds len initialised bytes after the header.
        unsafe { std::slice::from_raw_parts(self.data_ptr(), self.len()) }
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as above, and &mut self gives exclusive access.
        unsafe { std::slice::from_raw_parts_mut(self.data_ptr(), self.len()) }
    }

    /// Gives the bytes' address to C; the chunk is rebuilt with [`Chunk::from_raw`].
    pub fn into_raw(self) -> *mut u8 {
        let p = self.data_ptr();
        std::mem::forget(self);
        p
    }

    /// Takes back a pointer made by [`Chunk::into_raw`]; `None` if `p` is null
    /// or does not point at a live chunk.
    ///
    /// # Safety
    /// `p` must be null or a pointer the application got from this library
    /// (a chunk's bytes) that it has not freed; anything else is read as if
    /// it were one, as nanomsg does.
    pub unsafe fn from_raw(p: *mut u8) -> Option<Chunk> {
        if p.is_null() || !(p as usize).is_multiple_of(ALIGN) || (p as usize) < HDR {
            return None;
        }
        // SAFETY: by the caller's promise the header sits HDR bytes before p.
        let hdr = unsafe { p.sub(HDR) } as *mut ChunkHeader;
        // SAFETY: as above.
        if unsafe { (*hdr).magic } != MAGIC {
            return None;
        }
        NonNull::new(hdr).map(|hdr| Chunk { hdr })
    }

    fn cap(&self) -> usize {
        // SAFETY: hdr points at a live header owned by self.
        unsafe { (*self.hdr.as_ptr()).cap }
    }

    /// nn_reallocmsg, as nanomsg 1.1.5 does it: a chunk that grows moves
    /// to a new block (the first `len` bytes copied, the rest zeroed; the
    /// application's old pointer is then invalid, and nanomsg's own tests
    /// check that it changed); one that shrinks or keeps its size stays
    /// where it is. Err gives the chunk back unchanged.
    pub fn resize(self, new_len: usize) -> Result<Chunk, Chunk> {
        if new_len <= self.len() {
            // SAFETY: the header is live and owned by self; the block keeps
            // its capacity, so its bytes up to new_len stay initialised.
            unsafe { (*self.hdr.as_ptr()).len = new_len };
            return Ok(self);
        }
        let Some(mut grown) = Chunk::zeroed(new_len) else {
            return Err(self);
        };
        grown.as_mut_slice()[..self.len()].copy_from_slice(self.as_slice());
        Ok(grown)
    }

    /// Moves the block to one of `new_len` bytes where the allocator can,
    /// keeping the bytes; those past the old length are left
    /// uninitialised, for a [`FillingChunk`] that writes them before any
    /// is read.
    fn reallocate(self, new_len: usize) -> Result<Chunk, Chunk> {
        let (Some(old), Some(new)) = (layout(self.cap()), layout(new_len)) else {
            return Err(self);
        };
        if new.size() > isize::MAX as usize {
            return Err(self);
        }
        // SAFETY: the block was allocated with `old`; new size is non-zero.
        let p = unsafe { alloc::realloc(self.hdr.as_ptr() as *mut u8, old, new.size()) };
        let Some(hdr) = NonNull::new(p as *mut ChunkHeader) else {
            return Err(self);
        };
        std::mem::forget(self);
        // SAFETY: hdr is the (possibly moved) live block of new.size() bytes.
        unsafe {
            (*hdr.as_ptr()).len = new_len;
            (*hdr.as_ptr()).cap = new_len;
        }
        Ok(Chunk { hdr })
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        let layout = layout(self.cap()).expect("layout was valid at allocation");
        // SAFETY: the header is live; clear the magic so a double free is caught.
        unsafe { (*self.hdr.as_ptr()).magic = 0 };
        // SAFETY: the block was allocated with this layout and is freed once.
        unsafe { alloc::dealloc(self.hdr.as_ptr() as *mut u8, layout) };
    }
}

/// A message body being received: a chunk allocated without zero-filling,
/// whose bytes are written in order and handed out only once all are
/// written, so no uninitialised byte is ever read.
///
/// The length is the peer's claim. A body up to [`FILL_UPFRONT`] is
/// allocated whole at once (the common case: one allocation, reads
/// straight into it); a longer one grows as its bytes arrive, doubling,
/// so a peer that announces a huge message and sends little costs little.
/// (glibc moves large blocks with mremap, so the growth copies nothing.)
pub struct FillingChunk {
    chunk: Chunk,
    filled: usize,
    total: usize,
}

/// The most of a body allocated before its bytes arrive.
pub const FILL_UPFRONT: usize = 1 << 20;

impl FillingChunk {
    /// `None` if `len` bytes could never be allocated, or the first part
    /// of them cannot be now.
    pub fn new(len: usize) -> Option<FillingChunk> {
        if layout(len)?.size() > isize::MAX as usize {
            return None;
        }
        Chunk::allocate(len.min(FILL_UPFRONT), false).map(|chunk| FillingChunk {
            chunk,
            filled: 0,
            total: len,
        })
    }

    pub fn remaining(&self) -> usize {
        self.total - self.filled
    }

    pub fn is_full(&self) -> bool {
        self.filled == self.total
    }

    /// How many bytes the next `read_from` asks for.
    pub fn next_read_len(&self) -> usize {
        self.next_capacity() - self.filled
    }

    /// The block's size once it has room for the next bytes.
    fn next_capacity(&self) -> usize {
        let cap = self.chunk.len();
        if self.filled == cap && self.filled < self.total {
            cap.saturating_mul(2).clamp(1, self.total)
        } else {
            cap
        }
    }

    /// Room to write the next bytes into, growing the block if it is
    /// full; 0 once the body is complete, None if growing failed.
    fn room(&mut self) -> Option<usize> {
        let cap = self.next_capacity();
        if cap > self.chunk.len() {
            let chunk = std::mem::replace(&mut self.chunk, Chunk::allocate(0, false)?);
            self.chunk = chunk.reallocate(cap).ok()?;
        }
        Some(self.chunk.len() - self.filled)
    }

    /// Copies as much of `data` as still fits; returns how much that was,
    /// or None if memory for the body ran out.
    pub fn extend_from(&mut self, mut data: &[u8]) -> Option<usize> {
        let mut copied = 0;
        while !data.is_empty() {
            let n = self.room()?.min(data.len());
            if n == 0 {
                break;
            }
            // SAFETY: bytes filled..filled+n lie inside the block; `data`
            // has n bytes and cannot overlap a block this chunk owns.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    data.as_ptr(),
                    self.chunk.data_ptr().add(self.filled),
                    n,
                )
            };
            self.filled += n;
            copied += n;
            data = &data[n..];
        }
        Some(copied)
    }

    /// One read(2) from `fd` into the unfilled rest; the count read.
    pub fn read_from(&mut self, fd: std::os::fd::RawFd) -> std::io::Result<usize> {
        let left = self
            .room()
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::OutOfMemory))?;
        // SAFETY: the kernel writes at most `left` bytes from filled on,
        // all inside the block.
        let n = unsafe {
            libc::read(
                fd,
                self.chunk.data_ptr().add(self.filled) as *mut libc::c_void,
                left,
            )
        };
        if n < 0 {
            return Err(std::io::Error::last_os_error());
        }
        self.filled += n as usize;
        Ok(n as usize)
    }

    /// The chunk, once every byte is written.
    pub fn into_chunk(self) -> Option<Chunk> {
        self.is_full().then_some(self.chunk)
    }

    /// The body's full length.
    pub fn total_len(&self) -> usize {
        self.total
    }

    /// The bytes written so far.
    pub fn filled(&self) -> &[u8] {
        // SAFETY: bytes 0..filled were written (extend_from, read_from).
        unsafe { std::slice::from_raw_parts(self.chunk.data_ptr(), self.filled) }
    }
}

/// The application's buffer of an nn_recv, which a message body may be
/// read into directly instead of being copied there from a chunk. It may
/// hold anything (uninitialised memory too) and is written from the start,
/// in order; `written` bytes are written.
pub struct RecvBuf<'a> {
    buf: &'a mut [std::mem::MaybeUninit<u8>],
    written: usize,
}

impl<'a> RecvBuf<'a> {
    pub fn new(buf: &'a mut [std::mem::MaybeUninit<u8>]) -> RecvBuf<'a> {
        RecvBuf { buf, written: 0 }
    }

    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    pub fn written(&self) -> &[u8] {
        // SAFETY: bytes 0..written were written (append, read_from).
        unsafe { std::slice::from_raw_parts(self.buf.as_ptr().cast(), self.written) }
    }

    /// Starts over: what was written counts as unwritten again.
    pub fn clear(&mut self) {
        self.written = 0;
    }

    /// Copies as much of `data` as still fits after what is written.
    pub fn append(&mut self, data: &[u8]) -> usize {
        let n = (self.buf.len() - self.written).min(data.len());
        // SAFETY: bytes written..written+n lie inside the buffer; `data`
        // is the caller's own slice and cannot overlap the application's
        // receive buffer this borrows mutably.
        unsafe {
            std::ptr::copy_nonoverlapping(
                data.as_ptr(),
                self.buf.as_mut_ptr().add(self.written).cast(),
                n,
            )
        };
        self.written += n;
        n
    }

    /// One recv(2) (never blocking) from `fd` of up to `max` bytes, after
    /// what is written; the count read.
    pub fn read_from(&mut self, fd: std::os::fd::RawFd, max: usize) -> std::io::Result<usize> {
        let n = max.min(self.buf.len() - self.written);
        // SAFETY: the kernel writes at most n bytes from `written` on, all
        // inside the buffer.
        let got = unsafe {
            libc::recv(
                fd,
                self.buf.as_mut_ptr().add(self.written).cast(),
                n,
                libc::MSG_DONTWAIT,
            )
        };
        if got < 0 {
            return Err(std::io::Error::last_os_error());
        }
        self.written += got as usize;
        Ok(got as usize)
    }
}

impl std::fmt::Debug for Chunk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Chunk({} bytes)", self.len())
    }
}

/// A message: the protocol header (request ids, backtraces) and the body.
#[derive(Debug)]
pub struct Msg {
    pub header: Vec<u8>,
    pub body: Chunk,
}

impl Msg {
    pub fn new(body: Chunk) -> Msg {
        Msg {
            header: Vec::new(),
            body,
        }
    }

    /// Bytes on the wire: header and body.
    pub fn wire_len(&self) -> usize {
        self.header.len() + self.body.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_round_trips_through_raw_pointer() {
        let c = Chunk::from_slice(b"hello").unwrap();
        let p = c.into_raw();
        let c = unsafe { Chunk::from_raw(p) }.unwrap();
        assert_eq!(c.as_slice(), b"hello");
    }

    #[test]
    fn foreign_and_null_pointers_are_refused() {
        assert!(unsafe { Chunk::from_raw(std::ptr::null_mut()) }.is_none());
        let mut buf = [0u8; 128];
        let p = buf.as_mut_ptr().wrapping_add(64);
        let p = (p as usize & !15) as *mut u8;
        assert!(unsafe { Chunk::from_raw(p) }.is_none());
    }

    #[test]
    fn resize_keeps_contents_and_zero_fills() {
        let c = Chunk::from_slice(b"abc").unwrap();
        let c = c.resize(6).unwrap();
        assert_eq!(c.as_slice(), b"abc\0\0\0");
        let c = c.resize(2).unwrap();
        assert_eq!(c.as_slice(), b"ab");
    }

    /// As nanomsg: growing moves the bytes (even within what a shrink
    /// left), shrinking and the same size keep them in place.
    #[test]
    fn resize_moves_when_growing_only() {
        let c = Chunk::from_slice(b"a").unwrap();
        let p1 = c.as_slice().as_ptr();
        let c = c.resize(100).unwrap();
        let p2 = c.as_slice().as_ptr();
        assert_ne!(p1, p2, "grown 1 -> 100 in place");
        let c = c.resize(3).unwrap();
        assert_eq!(c.as_slice().as_ptr(), p2, "shrunk 100 -> 3 elsewhere");
        let c = c.resize(3).unwrap();
        assert_eq!(c.as_slice().as_ptr(), p2);
        let c = c.resize(50).unwrap();
        assert_ne!(c.as_slice().as_ptr(), p2, "grown 3 -> 50 in place");
        assert_eq!(&c.as_slice()[..3], b"a\0\0");
        assert!(c.as_slice()[3..].iter().all(|&b| b == 0));
        let e = Chunk::from_slice(b"x").unwrap().resize(usize::MAX - 10);
        assert_eq!(e.unwrap_err().as_slice(), b"x");
    }

    #[test]
    fn zero_length_chunks_work() {
        let c = Chunk::zeroed(0).unwrap();
        assert!(c.is_empty());
        assert!(Chunk::zeroed(usize::MAX).is_none());
    }

    #[test]
    fn filling_chunk_hands_out_its_bytes_only_when_full() {
        use std::io::Write;
        use std::os::fd::AsRawFd;
        let (mut tx, rx) = std::os::unix::net::UnixStream::pair().unwrap();
        let mut body = FillingChunk::new(10).unwrap();
        assert_eq!(body.extend_from(b"abc"), Some(3));
        tx.write_all(b"defg").unwrap();
        assert_eq!(body.read_from(rx.as_raw_fd()).unwrap(), 4);
        assert_eq!(body.remaining(), 3);
        assert!(!body.is_full());
        tx.write_all(b"hijklmn").unwrap();
        // One read takes only what still fits.
        assert_eq!(body.read_from(rx.as_raw_fd()).unwrap(), 3);
        assert_eq!(body.extend_from(b"more"), Some(0));
        let chunk = body.into_chunk().expect("full");
        assert_eq!(chunk.as_slice(), b"abcdefghij");
        let partial = FillingChunk::new(2).unwrap();
        assert!(partial.into_chunk().is_none());
        assert!(FillingChunk::new(usize::MAX).is_none());
        assert!(FillingChunk::new(isize::MAX as usize).is_none());
    }

    /// A body longer than FILL_UPFRONT takes memory as its bytes arrive.
    #[test]
    fn a_long_body_grows_as_it_fills() {
        let claimed = 1usize << 46;
        let mut huge = FillingChunk::new(claimed).unwrap();
        assert_eq!(huge.chunk.len(), FILL_UPFRONT);
        assert_eq!(huge.extend_from(&[1u8; 100]), Some(100));
        assert_eq!(huge.remaining(), claimed - 100);

        let len = 3 * FILL_UPFRONT + 7;
        let data: Vec<u8> = (0..len).map(|i| (i % 253) as u8).collect();
        let mut body = FillingChunk::new(len).unwrap();
        for piece in data.chunks(100_003) {
            assert_eq!(body.extend_from(piece), Some(piece.len()));
        }
        assert!(body.is_full());
        assert_eq!(body.extend_from(b"x"), Some(0));
        assert_eq!(body.into_chunk().unwrap().as_slice(), &data[..]);
    }
}
