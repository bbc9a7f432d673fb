package signing

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func zlibBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func TestZlibDecompress(t *testing.T) {
	data := []byte(strings.Repeat(`{"a":"b"}`, 50))
	z := zlibBytes(t, data)
	var raw bytes.Buffer
	fw, _ := flate.NewWriter(&raw, 6)
	fw.Write(data)
	fw.Close()
	// A zlib header with FDICT set and the empty dictionary's id (1).
	dict := append([]byte{0x78, 0xBB}, 0, 0, 0, 1)
	dict = append(dict, raw.Bytes()...)
	cases := []struct {
		name string
		in   []byte
		ok   bool
	}{
		{"valid", z, true},
		{"trailing garbage", append(bytes.Clone(z), "garbage"...), true},
		{"truncated", z[:len(z)-1], false},
		{"bad checksum", append(bytes.Clone(z[:len(z)-1]), z[len(z)-1]^1), false},
		{"raw deflate", raw.Bytes(), false},
		{"preset dictionary", dict, false},
		{"empty", nil, false},
		{"header only", z[:2], false},
	}
	for i := 0; i < 2; i++ { // twice, to exercise pooled readers after errors
		for _, c := range cases {
			got, err := zlibDecompress(c.in, 1<<20)
			if c.ok != (err == nil) || (c.ok && !bytes.Equal(got, data)) {
				t.Errorf("%s: len %d, err %v", c.name, len(got), err)
			}
		}
	}
}

func TestZlibCompressPooled(t *testing.T) {
	for _, n := range []int{0, 1, 100, 70000} {
		data := bytes.Repeat([]byte("abcdefgh"), n)
		d, c := zlibCompress(data)
		got, err := zlibDecompress(c, len(data))
		d.release()
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("n=%d: err %v", n, err)
		}
	}
}

// TestMinCompressible: short documents are signed uncompressed even when
// zlib could shrink them (a trade of a few bytes for the compressor's
// fixed cost); from minCompressible on, compressible data is compressed.
func TestMinCompressible(t *testing.T) {
	sg, err := New(Options{Secret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1700000000, 0)
	for _, n := range []int{minCompressible - 1, minCompressible} {
		data := append([]byte(`{"a":"`), bytes.Repeat([]byte{'a'}, n-8)...)
		data = append(data, `"}`...)
		v := sg.Dumps(data, true, now)
		if got, want := strings.HasPrefix(v, "."), n >= minCompressible; got != want {
			t.Errorf("%d bytes: compressed = %v, want %v", n, got, want)
		}
		back, err := sg.Loads(v, 0, now)
		if err != nil || !bytes.Equal(back, data) {
			t.Errorf("%d bytes: round trip %q, %v", n, back, err)
		}
	}
}

func TestReadAllLimit(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 1000)
	for _, limit := range []int{0, 1, 999, 1000, 1001, 5000} {
		r := iotest.OneByteReader(bytes.NewReader(data))
		got, err := readAllLimit(nil, r, limit)
		if limit < len(data) {
			if !errors.Is(err, errTooLarge) || len(got) > limit+1 {
				t.Errorf("limit %d: len %d err %v", limit, len(got), err)
			}
		} else if err != nil || !bytes.Equal(got, data) {
			t.Errorf("limit %d: len %d err %v", limit, len(got), err)
		}
	}
	if _, err := readAllLimit(nil, iotest.ErrReader(io.ErrClosedPipe), 10); err != io.ErrClosedPipe {
		t.Errorf("read error: %v", err)
	}
}
