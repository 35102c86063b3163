package pep440_test

import (
	"fmt"
	"slices"

	"github.com/safepip/safepip/pypa/pep440"
)

func ExampleParse() {
	v, err := pep440.Parse("v1.0-RC.1")
	fmt.Println(v, err)
	_, err = pep440.Parse("1.0.")
	fmt.Println(err)
	// Output:
	// 1.0rc1 <nil>
	// "1.0.": trailing "."
}

func ExampleVersion_Compare() {
	var vs []pep440.Version
	for _, s := range []string{"1.0", "1.0.post1", "1.0a1", "1.0.dev0", "1.0+local", "0.9"} {
		vs = append(vs, pep440.MustParse(s))
	}
	slices.SortFunc(vs, pep440.Version.Compare)
	fmt.Println(vs)
	// Output: [0.9 1.0.dev0 1.0a1 1.0 1.0+local 1.0.post1]
}

func ExampleSpecifierSet_Contains() {
	set, err := pep440.ParseSpecifierSet(">= 1.0, != 1.5.*, <2")
	if err != nil {
		panic(err)
	}
	fmt.Println(set)
	for _, s := range []string{"1.4", "1.5.2", "1.9b1", "2.0"} {
		v := pep440.MustParse(s)
		fmt.Println(s, set.Contains(v, pep440.PrereleasesDefault), set.Contains(v, pep440.PrereleasesAllow))
	}
	// Output:
	// !=1.5.*,<2,>=1.0
	// 1.4 true true
	// 1.5.2 false false
	// 1.9b1 false true
	// 2.0 false false
}
