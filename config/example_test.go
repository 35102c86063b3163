package config_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/safepip/safepip/config"
)

// offline is a config.Lookup over fixed answers.
type offline map[string]map[string][]string

func (o offline) Versions(ctx context.Context, idx config.Index, project string) ([]string, error) {
	if vs, ok := o[idx.Name][project]; ok {
		return vs, nil
	}
	return nil, config.ErrNotFound
}

func Example() {
	file, err := config.Parse("safepip.toml", []byte(`
[[index]]
name = "internal"
url = "https://${TOKEN}@pypi.internal.example/simple"
packages = ["acme-*"]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg, err := config.New(config.Options{
		File:   file,
		Flags:  config.Flags{ExtraIndexURLs: []string{"https://mirror.example/simple"}},
		Getenv: func(string) (string, bool) { return "secret-token", true },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	router := config.NewRouter(cfg, offline{
		"internal":       {"acme-triton": {"1.0"}},
		"pypi":           {"acme-triton": {"9.9.9"}, "six": {"1.17.0"}},
		"mirror.example": {"six": {"1.16.0"}},
	})
	ctx := context.Background()
	route, _ := router.Route(ctx, "Acme_Triton", "")
	fmt.Println(route.Index, route.Versions)
	fmt.Println(route.Reason)

	_, err = router.Route(ctx, "six", "")
	var amb *config.AmbiguousError
	fmt.Println(errors.As(err, &amb))
	fmt.Println(err)
	// Output:
	// "internal" (https://pypi.internal.example/simple) [1.0]
	// pinned by packages "acme-*" of index "internal" (safepip.toml:2)
	// true
	// "six" is served by 2 indexes; safepip takes a project from one index only:
	//   "pypi" (https://pypi.org/simple) from built-in default offers 1.17.0
	//   "mirror.example" (https://mirror.example/simple) from command line (--extra-index-url) offers 1.16.0
	// hint: to take "six" from "mirror.example", declared at command line (--extra-index-url), add to safepip.toml:
	//   [[index]]
	//   name = "mirror.example"
	//   url = "https://mirror.example/simple"
	//   packages = ["six"]
	// hint: to take "six" from the default index "pypi", give "mirror.example" a packages list of the projects it serves, without "six"
}
