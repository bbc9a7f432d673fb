package sessions

import (
	"math/rand/v2"
	"net/http"
	"testing"
	"time"
)

func TestAppendHTTPDate(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	times := []time.Time{
		time.Unix(0, 0),
		time.Date(2026, 12, 3, 6, 9, 5, 999, time.UTC),
		time.Date(2024, 2, 29, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 3, 29, 2, 30, 0, 0, paris), // a DST change, not UTC
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), // the fallback
		time.Date(-1, 6, 1, 0, 0, 0, 0, time.UTC),    // the fallback
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		times = append(times, time.Unix(r.Int64N(400*365*86400)-100*365*86400, 0))
	}
	for _, tm := range times {
		want := tm.UTC().Format(http.TimeFormat)
		if got := string(appendHTTPDate(nil, tm)); got != want {
			t.Errorf("appendHTTPDate(%v) = %q, want %q", tm, got, want)
		}
	}
}
