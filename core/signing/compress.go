package signing

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"sync"
)

// zlibLevel is BestSpeed, not CPython's default of 6: resetting a pooled
// level-6 writer clears about 640 KB of hash tables, which cost more than
// the rest of a request, while level 1 resets in place and compresses
// session JSON within about 4% of level 6. Django decompresses either.
const zlibLevel = zlib.BestSpeed

// minCompressible is the shortest input worth trying to compress. A zlib
// stream from Go costs 11 bytes of framing (header, Adler-32 trailer and
// the final empty block Go's flate writes), so session JSON shorter than
// this almost never saves the 2 bytes Django requires; skipping it saves
// the compressor's fixed cost on the common small session. Both forms are
// valid for Django, so this changes size, never compatibility.
const minCompressible = 100

// maxPooledBuf bounds the buffers kept in pools so that one huge value does
// not pin memory forever.
const maxPooledBuf = 64 << 10

// deflater is a pooled zlib writer with its output buffer. A level-6 writer
// allocates about 1 MB, so creating one per call would dominate the cost.
type deflater struct {
	zw  *zlib.Writer
	out bytes.Buffer
}

var deflaterPool = sync.Pool{New: func() any {
	d := new(deflater)
	zw, err := zlib.NewWriterLevel(&d.out, zlibLevel)
	if err != nil {
		panic(err) // unreachable: the level is a valid constant
	}
	d.zw = zw
	return d
}}

// zlibCompress returns zlib.compress(data) in a pooled deflater. The caller must
// call release when done with the returned bytes.
func zlibCompress(data []byte) (*deflater, []byte) {
	d := deflaterPool.Get().(*deflater)
	d.out.Reset()
	d.zw.Reset(&d.out)
	// Writes to a bytes.Buffer cannot fail.
	_, _ = d.zw.Write(data)
	_ = d.zw.Close()
	return d, d.out.Bytes()
}

func (d *deflater) release() {
	if d.out.Cap() > maxPooledBuf {
		d.out = bytes.Buffer{}
	}
	deflaterPool.Put(d)
}

// inflater is a pooled zlib reader with its input reader and output buffer.
type inflater struct {
	zr  io.ReadCloser // also a zlib.Resetter
	src bytes.Reader
	out []byte
}

var inflaterPool = sync.Pool{New: func() any { return new(inflater) }}

// errTooLarge is reported (as ErrMalformed) by LoadsWithTime.
var errTooLarge = errors.New("decompressed data too large")

// zlibDecompress returns zlib.decompress(data), failing when the output would
// exceed limit bytes. Like CPython, bytes after the end of the zlib stream
// are ignored and a stream that needs a preset dictionary is rejected. The
// result is freshly allocated and owned by the caller.
func zlibDecompress(data []byte, limit int) ([]byte, error) {
	if len(data) >= 2 && data[1]&0x20 != 0 {
		// FDICT: CPython fails with "need dictionary"; Go would accept a
		// stream whose dictionary id is that of the empty dictionary.
		return nil, zlib.ErrDictionary
	}
	f := inflaterPool.Get().(*inflater)
	defer f.release()
	f.src.Reset(data)
	if f.zr == nil {
		zr, err := zlib.NewReader(&f.src)
		if err != nil {
			return nil, err
		}
		f.zr = zr
	} else if err := f.zr.(zlib.Resetter).Reset(&f.src, nil); err != nil {
		return nil, err
	}
	out, err := readAllLimit(f.out[:0], f.zr, limit)
	f.out = out
	if err != nil {
		return nil, err
	}
	return bytes.Clone(out), nil
}

func (f *inflater) release() {
	f.src.Reset(nil)
	if cap(f.out) > maxPooledBuf {
		f.out = nil
	}
	inflaterPool.Put(f)
}

// readAllLimit reads r to EOF into dst, never holding more than limit+1
// bytes, so a zip bomb costs at most limit bytes of memory.
func readAllLimit(dst []byte, r io.Reader, limit int) ([]byte, error) {
	for {
		if len(dst) > limit {
			return dst, errTooLarge
		}
		if len(dst) == cap(dst) {
			dst = append(dst, 0)[:len(dst)]
		}
		end := min(cap(dst), limit+1)
		n, err := r.Read(dst[len(dst):end])
		dst = dst[:len(dst)+n]
		if err == io.EOF {
			if len(dst) > limit {
				return dst, errTooLarge
			}
			return dst, nil
		}
		if err != nil {
			return dst, err
		}
	}
}
