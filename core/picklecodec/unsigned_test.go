package picklecodec_test

import (
	"bytes"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/memstore"
	"github.com/sessionkit/sessionkit/core/picklecodec"
	"github.com/sessionkit/sessionkit/core/signing"
)

// plainStore hides memstore's InProcess, so core treats it as a shared
// store and signs its records.
type plainStore struct{ sessions.Store }

// unsignedStore is a shared store that asks for the codec's bytes as they
// are, as redisstore's Django stores do; it records the signer core gave.
type unsignedStore struct {
	sessions.Store
	bound []*signing.Signer
}

func (u *unsignedStore) BindUnsigned(sg *signing.Signer) sessions.Store {
	u.bound = append(u.bound, sg)
	return u
}

// TestUnsignedStore checks core's side of sessions.UnsignedStore: the
// record is the codec's bytes, unsigned, and reads back; BindUnsigned is
// called once, with the Manager's signer; other stores stay signed.
func TestUnsignedStore(t *testing.T) {
	codec := picklecodec.Codec{Protocol: 5}
	values := map[string]any{"foo": "bar", "n": int64(1)}
	pickled, err := codec.Append(nil, values)
	if err != nil {
		t.Fatal(err)
	}
	for _, unsigned := range []bool{true, false} {
		mem := memstore.New(memstore.Options{})
		defer mem.Close()
		var store sessions.Store = plainStore{mem}
		u := &unsignedStore{Store: mem}
		if unsigned {
			store = u
		}
		m, err := sessions.New(sessions.Config{Store: store, Codec: codec, Secret: "unsigned-store-test-secret-0123456789"})
		if err != nil {
			t.Fatal(err)
		}
		s := m.Open(t.Context(), "")
		s.SetAll(values)
		if err := s.Save(); err != nil {
			t.Fatal(err)
		}
		rec, err := mem.Load(t.Context(), s.Key())
		if err != nil {
			t.Fatal(err)
		}
		if got := bytes.Equal(rec.Data, pickled); got != unsigned {
			t.Fatalf("unsigned store %v: record %q, pickle %q", unsigned, rec.Data, pickled)
		}
		if unsigned && (len(u.bound) != 1 || u.bound[0] == nil) {
			t.Fatalf("BindUnsigned called with %v, want once with the signer", u.bound)
		}
		if got := m.Open(t.Context(), s.Key()).Values(); got["foo"] != "bar" || got["n"] != int64(1) {
			t.Fatalf("unsigned store %v: reads back %v", unsigned, got)
		}
	}
}
