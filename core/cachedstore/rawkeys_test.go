package cachedstore_test

import (
	"errors"
	"testing"

	sessions "github.com/sessionkit/sessionkit/core"
	"github.com/sessionkit/sessionkit/core/cachedstore"
	"github.com/sessionkit/sessionkit/core/memstore"
)

// djangoTable stands for a durable store on Django's django_session table.
type djangoTable struct{ sessions.Store }

func (djangoTable) RawKeys() bool { return true }

// HashKeys is refused over a cached store whose durable store keeps raw
// keys for Django, as it is over that store alone.
func TestRawKeysPassedOn(t *testing.T) {
	for _, raw := range []bool{false, true} {
		cache, durable := memstore.New(memstore.Options{}), memstore.New(memstore.Options{})
		defer cache.Close()
		defer durable.Close()
		var d sessions.Store = durable
		if raw {
			d = djangoTable{durable}
		}
		cs, err := cachedstore.New(cache, d, cachedstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = sessions.New(sessions.Config{Store: cs, Secret: "s", HashKeys: true})
		if raw != errors.Is(err, sessions.ErrInvalidConfig) {
			t.Errorf("raw keys %v: New error %v", raw, err)
		}
	}
}
