package main

import (
	"strings"
	"testing"
	"time"
)

const wrkOutput = `Running 5s test @ http://127.0.0.1:40001/c
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.61ms    1.20ms  22.12ms   88.05%
    Req/Sec    10.41k     1.21k   13.27k    69.00%
  Latency Distribution
     50%    1.30ms
     75%    1.90ms
     90%    2.81ms
     99%    6.14ms
  103624 requests in 5.00s, 20.26MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 4
Requests/sec:  20716.59
Transfer/sec:      4.05MB
`

func TestParseWrk(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    result
		wantErr bool
	}{
		{"full", wrkOutput, result{rps: 20716.59, p99: 6140 * time.Microsecond, requests: 103624, non2xx: 4, sockErrs: 3}, false},
		{"microseconds", strings.Replace(wrkOutput, "6.14ms", "812.00us", 1),
			result{rps: 20716.59, p99: 812 * time.Microsecond, requests: 103624, non2xx: 4, sockErrs: 3}, false},
		{"no rps", "garbage", result{}, true},
		{"no latency", "Requests/sec:  1.0\n", result{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseWrk(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if !tt.wantErr && got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLuaScript(t *testing.T) {
	s := luaScript("/c", []string{`sessionid=a"b`, "sessionid=c"})
	for _, want := range []string{`"sessionid=a\"b"`, `"sessionid=c"`, `wrk.format("GET", "/c"`, "function request()"} {
		if !strings.Contains(s, want) {
			t.Errorf("script lacks %s:\n%s", want, s)
		}
	}
}
