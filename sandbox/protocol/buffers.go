package protocol

import "sync"

// maxPooledBuffer is the largest buffer kept for reuse: a page of a
// thousand instances is about 2 MB; a rare larger reply is left to the
// garbage collector rather than held.
const maxPooledBuffer = 8 << 20

// BufferPool recycles the buffers large replies are built in. A fleet's
// drift run reads tens of megabytes of replies; allocating each afresh
// makes the garbage collector mark the whole world (tens of thousands of
// objects) again and again. The zero value is ready to use.
type BufferPool struct{ p sync.Pool }

// Get is an empty buffer, a recycled one when one is free.
func (bp *BufferPool) Get() *[]byte {
	if b, ok := bp.p.Get().(*[]byte); ok {
		return b
	}
	return new([]byte)
}

// Put gives the buffer back; its bytes must no longer be in use.
func (bp *BufferPool) Put(b *[]byte) {
	if cap(*b) > maxPooledBuffer {
		return
	}
	*b = (*b)[:0]
	bp.p.Put(b)
}
