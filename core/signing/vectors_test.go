package signing

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Types for the Django vectors in ../testdata/django (Django 3.2.25,
// 4.2.30, 5.2.14 and 6.0.5); only the fields these tests use.

type vectorFile struct {
	DjangoVersion string `json:"django_version"`
	FixedTime     int64  `json:"fixed_time"`
	FixedTimeB62  string `json:"fixed_time_b62"`
	Settings      struct {
		SecretKey        string `json:"SECRET_KEY"`
		SessionCookieAge int64  `json:"SESSION_COOKIE_AGE"`
	} `json:"settings"`
	Salts struct {
		SignedCookies  string `json:"signed_cookies"`
		DB             string `json:"db_cached_db_file"`
		LegacyHashSalt string `json:"legacy_pre31_hash_key_salt"`
	} `json:"salts"`
	Primitives struct {
		Base62Alphabet string            `json:"base62_alphabet"`
		Base62Examples map[string]string `json:"base62_examples"`
		KeyDerivation  []struct {
			Salt        string `json:"salt"`
			KeyMaterial string `json:"key_material"`
			KeyHex      string `json:"hmac_key_hex_sha256"`
			Message     string `json:"message"`
			Sig256      string `json:"signature_b64url_sha256"`
			SigSHA1     string `json:"signature_b64url_sha1_legacy"`
		} `json:"hmac_key_derivation"`
		SignerExamples []struct {
			Desc  string `json:"desc"`
			Value string `json:"value"`
		} `json:"signer_examples"`
	} `json:"signing_primitives"`
	Sessions           []sessionVector `json:"sessions"`
	PythonOnlySessions []struct {
		Name           string `json:"name"`
		SerializedJSON string `json:"serialized_json"`
		CookieValue    string `json:"signed_cookie_value"`
		DBValue        string `json:"db_session_data"`
	} `json:"python_only_sessions"`
	Legacy struct {
		Pre31Suite struct {
			Secret        string `json:"secret"`
			Value         string `json:"value"`
			Base64Decoded string `json:"base64_decoded"`
			HashKeySalt   string `json:"hash_key_salt"`
		} `json:"pre31_from_django_test_suite"`
		Pre31Vector struct {
			Secret  string          `json:"secret"`
			Session json.RawMessage `json:"session"`
			Value   string          `json:"value"`
		} `json:"pre31_with_vector_secret"`
		SHA1 struct {
			Secret      string          `json:"secret"`
			Session     json.RawMessage `json:"session"`
			CookieValue string          `json:"signed_cookie_value"`
			DBValue     string          `json:"db_session_data"`
		} `json:"sha1_signature_new_format"`
		Fallback struct {
			CurrentSecret string          `json:"current_secret"`
			OldSecret     string          `json:"old_secret"`
			Session       json.RawMessage `json:"session"`
			CookieValue   string          `json:"signed_cookie_value_signed_with_old_secret"`
			DBValue       string          `json:"db_session_data_signed_with_old_secret"`
		} `json:"fallback_key"`
	} `json:"legacy_and_rotation"`
	Negative []struct {
		Desc         string `json:"desc"`
		Value        string `json:"value"`
		Salt         string `json:"salt"`
		Now          int64  `json:"now"`
		MaxAge       *int64 `json:"max_age"`
		SigningLoads struct {
			OK      bool            `json:"ok"`
			Session json.RawMessage `json:"session"`
			Error   string          `json:"error"`
		} `json:"signing_loads"`
		Expect string `json:"expect"`
	} `json:"negative"`
	Middleware []struct {
		Desc          string   `json:"desc"`
		Engine        string   `json:"engine"`
		Now           int64    `json:"now"`
		SetCookie     []string `json:"set_cookie_headers"`
		RequestCookie *string  `json:"request_cookie"`
	} `json:"middleware"`
}

type sessionVector struct {
	Name           string          `json:"name"`
	Session        json.RawMessage `json:"session"`
	SerializedJSON string          `json:"serialized_json"`
	SignedCookie   signedVector    `json:"signed_cookie"`
	DB             signedVector    `json:"db"`
}

type signedVector struct {
	Value          string `json:"value"`
	Payload        string `json:"payload"`
	TimestampB62   string `json:"timestamp_b62"`
	Timestamp      int64  `json:"timestamp"`
	Signature      string `json:"signature"`
	SignedMessage  string `json:"signed_message"`
	Compressed     bool   `json:"compressed"`
	SerializedJSON string `json:"serialized_json"`
	Salt           string `json:"salt"`
	HMACAlgorithm  string `json:"hmac_algorithm"`
	HMACKeyHex     string `json:"hmac_key_hex"`
}

var (
	vectorsOnce sync.Once
	vectorsData []*vectorFile
	vectorsErr  error
)

// allVectors reads the vectors of every Django version once per test
// binary, oldest first.
func allVectors(t testing.TB) []*vectorFile {
	t.Helper()
	vectorsOnce.Do(func() {
		paths, err := filepath.Glob(filepath.Join("..", "testdata", "django", "vectors*.json"))
		if err == nil && len(paths) != 4 {
			err = fmt.Errorf("want the vectors of 4 Django versions, found %v", paths)
		}
		if err != nil {
			vectorsErr = err
			return
		}
		for _, p := range paths {
			raw, err := os.ReadFile(p)
			if err != nil {
				vectorsErr = err
				return
			}
			v := new(vectorFile)
			if err := json.Unmarshal(raw, v); err != nil {
				vectorsErr = fmt.Errorf("%s: %w", p, err)
				return
			}
			vectorsData = append(vectorsData, v)
		}
		slices.SortFunc(vectorsData, func(a, b *vectorFile) int { return strings.Compare(a.DjangoVersion, b.DjangoVersion) })
	})
	if vectorsErr != nil {
		t.Fatalf("loading vectors: %v", vectorsErr)
	}
	return vectorsData
}

// forEachVersion runs f on the vectors of each Django version, as subtests
// named by the version.
func forEachVersion(t *testing.T, f func(t *testing.T, v *vectorFile)) {
	t.Helper()
	for _, v := range allVectors(t) {
		t.Run(v.DjangoVersion, func(t *testing.T) { f(t, v) })
	}
}

// loadVectors returns Django 3.2's vectors: the pre-3.1 formats exist only
// there (later versions cannot write them).
func loadVectors(t testing.TB) *vectorFile {
	t.Helper()
	for _, v := range allVectors(t) {
		if strings.HasPrefix(v.DjangoVersion, "3.2.") {
			return v
		}
	}
	t.Fatal("no Django 3.2 vectors")
	return nil
}

func mustNew(t testing.TB, o Options) *Signer {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatalf("New(%+v): %v", o, err)
	}
	return s
}

func unix(sec int64) time.Time { return time.Unix(sec, 0) }
