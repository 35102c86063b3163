package main

import (
	"fmt"
	"testing"

	"github.com/alecthomas/kong"

	"github.com/safepip/safepip/config"
)

// TestFormatFlagsOrder: --no-binary and --only-binary reach config in the
// order given, across the two flags, each value whole (pip splits it at
// commas itself, and ":all:,foo" is not ":all:" then "foo").
func TestFormatFlagsOrder(t *testing.T) {
	tests := []struct {
		args []string
		want []config.FormatFlag
	}{
		{nil, nil},
		{[]string{"--only-binary", "foo", "--no-binary", ":all:,x", "--only-binary=bar"},
			[]config.FormatFlag{{NoBinary: false, Value: "foo"}, {NoBinary: true, Value: ":all:,x"}, {NoBinary: false, Value: "bar"}}},
		{[]string{"--no-binary=:none:", "-i", "https://i.example/simple", "--only-binary", ":all:", "--no-binary", "a"},
			[]config.FormatFlag{{NoBinary: true, Value: ":none:"}, {NoBinary: false, Value: ":all:"}, {NoBinary: true, Value: "a"}}},
	}
	for _, tt := range tests {
		var c struct{ indexFlags }
		parser, err := kong.New(&c)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parser.Parse(tt.args); err != nil {
			t.Fatalf("Parse(%q): %v", tt.args, err)
		}
		if got := c.config().Format; fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("Parse(%q).Format = %v, want %v", tt.args, got, tt.want)
		}
	}
}
