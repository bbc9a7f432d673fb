package demotest

import "testing"

func TestLoopbackURL(t *testing.T) {
	tests := []struct {
		url  string
		want bool
	}{
		{"about:blank", true},
		{"data:,", true},
		{"http://127.0.0.1:4321/", true},
		{"http://127.0.0.1/api/login", true},
		{"http://localhost:4321/", false},
		{"http://127.0.0.1.example.com/", false},
		{"https://clients2.google.com/service/update2", false},
		{"http://[::1]:80/", false},
		{"::bad", false},
	}
	for _, tt := range tests {
		if got := loopbackURL(tt.url); got != tt.want {
			t.Errorf("loopbackURL(%q) = %v, want %v", tt.url, got, tt.want)
		}
	}
}
