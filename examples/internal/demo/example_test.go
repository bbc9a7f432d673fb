package demo_test

import (
	"fmt"
	"os"

	"github.com/sessionkit/sessionkit/examples/internal/demo"
)

func ExampleParseConfig() {
	env := map[string]string{"REDIS_URL": "redis://127.0.0.1:6380/1"}
	cfg, err := demo.ParseConfig("Gin", []string{"-store", "cached"}, func(k string) string { return env[k] }, os.Stderr)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.Addr, cfg.Store, cfg.DBPath, cfg.RedisURL)
	// Output:
	// 127.0.0.1:8080 cached sessionkit.db redis://127.0.0.1:6380/1
}
