package reqfile

import (
	"errors"
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"requests>=2 --hash=" + sha + "\n",
		"-r other.txt\n-c c.txt\n",
		"-e ./pkg[x]\n-i https://${HOST}/simple\n",
		"a \\\n  b # c\n--no-binary :all: --only-binary=x,:none:\n",
		"https://x/y-1.0-py3-none-any.whl ; python_version>'3'\n",
		`a --global-option="x y" -C k=v` + "\n--pre --prefer-binary --require-hashes\n",
		"--ind x\n--trusted-host h\n--use-feature=fast-deps\n",
	} {
		f.Add([]byte(s))
	}
	files := memFS{"other.txt": "six\n-r other.txt\n", "c.txt": "x<1\n"}
	opts := Options{
		Open:   files.open,
		Getenv: func(k string) (string, bool) { return "v" + k, k != "UNSET" },
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("r.txt", data, opts)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
			return
		}
		for _, r := range file.Requirements {
			if r.Source.Line < 1 || r.Text == "" {
				t.Errorf("requirement %+v has no line or text", r)
			}
			if (r.Kind == KindName) != (r.Req != nil) {
				t.Errorf("requirement %q: kind %s with Req %v", r.Text, r.Kind, r.Req)
			}
		}
	})
}

func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("--index-url https://pypi.example/simple\n--require-hashes\n")
	for i := range 200 {
		sb.WriteString("package-")
		sb.WriteString(strings.Repeat("x", 1+i%7))
		sb.WriteString("==1.2.3 \\\n    --hash=" + sha + " \\\n    --hash=" + sha + "  # via something\n")
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("requirements.txt", data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
