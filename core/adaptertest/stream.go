package adaptertest

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
)

// ChunkSize is how much WriteStream writes between flushes.
const ChunkSize = 32 << 10

// WriteStream writes the body of a Stream route: as many bytes as the
// request's "size" query parameter says, in ChunkSize writes of one
// reused buffer, calling flush after each.
func WriteStream(w io.Writer, flush func(), r *http.Request) error {
	size, err := strconv.ParseInt(r.URL.Query().Get("size"), 10, 64)
	if err != nil || size < 0 {
		return fmt.Errorf("adaptertest: bad size %q", r.URL.Query().Get("size"))
	}
	var chunk [ChunkSize]byte
	for i := range chunk {
		chunk[i] = 'a' + byte(i%26)
	}
	for size > 0 {
		n := min(size, ChunkSize)
		if _, err := w.Write(chunk[:n]); err != nil {
			return fmt.Errorf("adaptertest: stream: %w", err)
		}
		flush()
		size -= n
	}
	return nil
}

// allocSlack is how much more a 50 MB stream may allocate than a 1 MB one:
// a buffering adapter would allocate at least the 49 MB difference.
const allocSlack = 8 << 20

func testStreaming(t *testing.T, newServer NewServerFunc) {
	f := setup(t, newServer, nil)
	stream := func(size int64) uint64 {
		t.Helper()
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		resp, err := f.client.Do(t.Context(), http.MethodGet, "/stream?size="+strconv.FormatInt(size, 10), nil)
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		runtime.ReadMemStats(&after)
		if err != nil || n != size {
			t.Fatalf("streamed %d of %d bytes: %v", n, size, err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d", resp.StatusCode)
		}
		cs := (&Response{Header: resp.Header}).SetCookies()
		if len(cs) != 1 || cs[0].Name != f.name || !sessions.ValidKey(cs[0].Value) {
			t.Fatalf("a streamed response must carry exactly one session cookie, got %q", resp.Header.Values("Set-Cookie"))
		}
		return after.TotalAlloc - before.TotalAlloc
	}
	stream(1 << 20) // warm up pools and connections
	small := max(stream(1<<20), stream(1<<20))
	big := stream(50 << 20)
	t.Logf("allocated %d bytes for 1 MB, %d bytes for 50 MB", small, big)
	if big > small+allocSlack {
		t.Errorf("a 50 MB stream allocated %d bytes, a 1 MB one %d: the body is being buffered", big, small)
	}
	if got := f.store.Calls(); got.Save != 4 {
		t.Errorf("saves = %d, want one per streamed response (4)", got.Save)
	}
}
