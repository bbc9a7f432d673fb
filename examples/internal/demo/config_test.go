package demo

import (
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
)

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    Config
		wantErr string
	}{
		{
			name: "defaults",
			want: Config{Framework: "Chi", Addr: DefaultAddr, Store: StoreSQLite, DBPath: DefaultDBPath, RedisURL: DefaultRedisURL},
		},
		{
			name: "environment",
			env:  map[string]string{"ADDR": "127.0.0.1:9000", "DATABASE_URL": "host=db", "REDIS_URL": "redis://r:1/2", "SECRET_KEY": "s3"},
			want: Config{Framework: "Chi", Addr: "127.0.0.1:9000", Store: StoreSQLite, DBPath: DefaultDBPath, DSN: "host=db", RedisURL: "redis://r:1/2", Secret: "s3"},
		},
		{
			name: "flags win over the environment",
			args: []string{"-addr", ":1", "-store", "postgres", "-dsn", "host=flag", "-redis", "redis://flag", "-db", "x.db"},
			env:  map[string]string{"ADDR": "127.0.0.1:9000", "DATABASE_URL": "host=db", "REDIS_URL": "redis://r:1/2"},
			want: Config{Framework: "Chi", Addr: ":1", Store: StorePostgres, DBPath: "x.db", DSN: "host=flag", RedisURL: "redis://flag"},
		},
		{name: "unknown store", args: []string{"-store", "mongo"}, wantErr: `unknown store "mongo"`},
		{name: "postgres without a DSN", args: []string{"-store", "postgres"}, wantErr: "needs -dsn"},
		{name: "stray argument", args: []string{"serve"}, wantErr: `unexpected argument "serve"`},
		{name: "unknown flag", args: []string{"-port", "1"}, wantErr: "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			got, err := ParseConfig("Chi", tt.args, getenv, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseConfigHelp(t *testing.T) {
	var out strings.Builder
	_, err := ParseConfig("Gin", []string{"-help"}, func(string) string { return "" }, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v, want flag.ErrHelp", err)
	}
	for _, s := range []string{"Gin demo", "-store", "-dsn", "DATABASE_URL", "REDIS_URL", "SECRET_KEY"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("usage lacks %q:\n%s", s, out.String())
		}
	}
}
