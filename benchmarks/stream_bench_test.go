package benchmarks_test

import (
	"strconv"
	"testing"

	"github.com/sessionkit/sessionkit/benchmarks"
)

// streamSizes are the body sizes of BenchmarkStream: a buffering adapter
// would allocate at least the difference.
var streamSizes = []struct {
	name string
	size int64
}{{"1MB", 1 << 20}, {"100MB", 100 << 20}}

// BenchmarkStream streams a body in benchmarks.StreamChunk writes to the
// discarding writer through each adapter, after a session change that the
// adapter must commit before the first byte. B/op must not grow with the
// body.
func BenchmarkStream(b *testing.B) {
	for _, sz := range streamSizes {
		b.Run(sz.name, func(b *testing.B) {
			for _, tg := range benchmarks.Targets() {
				if tg.Library != benchmarks.LibSessionkit || tg.Store != benchmarks.StoreMemory {
					continue
				}
				b.Run(tg.Name(), func(b *testing.B) {
					in := start(b, tg)
					tmpl := in.Request(b.Context(), benchmarks.RouteStream+"?size="+strconv.FormatInt(sz.size, 10))
					serve(b, in, tmpl, func(w *benchmarks.DiscardWriter) {
						if w.N != sz.size || w.SessionCookie() == "" {
							b.Fatalf("streamed %d of %d bytes, cookie %q", w.N, sz.size, w.SessionCookie())
						}
					})
				})
			}
		})
	}
}
