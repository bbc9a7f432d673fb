package benchmarks

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// StreamChunk is the size of each write of the stream route.
const StreamChunk = 32 << 10

// streamSize reads the stream route's "size" parameter.
func streamSize(r *http.Request) (int64, error) {
	n, err := strconv.ParseInt(r.URL.Query().Get("size"), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("benchmarks: bad stream size %q", r.URL.Query().Get("size"))
	}
	return n, nil
}

// newChunk returns the buffer a stream route writes over and over.
func newChunk() []byte {
	b := make([]byte, StreamChunk)
	for i := range b {
		b[i] = 'a' + byte(i%26)
	}
	return b
}

// writeStream writes size bytes of chunk-sized writes to w.
func writeStream(w io.Writer, chunk []byte, size int64) error {
	for size > 0 {
		n := min(size, int64(len(chunk)))
		if _, err := w.Write(chunk[:n]); err != nil {
			return err
		}
		size -= n
	}
	return nil
}
