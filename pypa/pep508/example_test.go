package pep508_test

import (
	"errors"
	"fmt"

	"github.com/safepip/safepip/pypa/pep508"
)

func ExampleParseRequirement() {
	r, err := pep508.ParseRequirement(`Requests[socks,security] (>=2.8.1, <3) ; python_version >= '3.8'`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Name, r.Extras, r.Specifier, r.Marker)
	fmt.Println(pep508.NormalizeName(r.Name))
	fmt.Println(r)

	_, err = pep508.ParseRequirement("urllib3>=2 <3")
	var se *pep508.SyntaxError
	if errors.As(err, &se) {
		fmt.Println(se.Offset, se.Msg)
	}
	// Output:
	// Requests [socks security] <3,>=2.8.1 python_version >= "3.8"
	// requests
	// Requests[security,socks]<3,>=2.8.1; python_version >= "3.8"
	// 11 expected end or semicolon (after version specifier)
}

func ExampleMarker_EvaluateExtras() {
	m, err := pep508.ParseMarker(`sys_platform == "linux" and extra == "socks"`)
	if err != nil {
		fmt.Println(err)
		return
	}
	env := pep508.Environment{"sys_platform": "linux"}
	for _, extras := range [][]string{nil, {"Socks"}, {"security"}} {
		ok, err := m.EvaluateExtras(env, extras)
		fmt.Println(extras, ok, err)
	}
	// Output:
	// [] false <nil>
	// [Socks] true <nil>
	// [security] false <nil>
}
