package metadata

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// genHeaderText writes a random email-like text from pieces where header
// parsing can go wrong.
func genHeaderText(rng *rand.Rand) string {
	pick := func(list ...string) string { return list[rng.IntN(len(list))] }
	var b strings.Builder
	for range rng.IntN(12) {
		b.WriteString(pick(
			"Name: demo", "Version: 1.0", "Requires-Dist: a; extra == 'x'", "A:b", "a-b_c.d:  spaced  ",
			" continued", "\tcontinued", "   ", "", "From someone", ":no name", "Bad Header: x", "no colon here",
			"Key:", "X-Ünï: v", "Summary: Zoë", "Description: line\n        |second", "Weird!#$%&'*+-.^`|~: ok",
			"From: a@example.com", "Trailing:\t\t", "Colon: a: b",
		))
		b.WriteString(pick("\n", "\n", "\r\n", "\r"))
	}
	if rng.IntN(2) == 0 {
		b.WriteString(pick("\n", "\r\n"))
		b.WriteString(pick("body", "body\nline 2\n", "", "Name: not a header\n", "\n\nx"))
	}
	return b.String()
}

func TestEmailParserDifferential(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 not installed")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 3000
	texts := make([]string, n)
	for i := range texts {
		texts[i] = genHeaderText(rng)
	}
	input, _ := json.Marshal(texts)
	cmd := exec.Command("python3", "testdata/email_headers.py")
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, stderr.String())
	}
	var want []struct {
		Headers [][2]string `json:"headers"`
		Body    *string     `json:"body"`
	}
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	eol := strings.NewReplacer("\r\n", "\n", "\r", "\n")
	mismatches := 0
	for i, text := range texts {
		headers, body, err := parseHeaders("METADATA", []byte(text))
		if err != nil {
			t.Errorf("parseHeaders(%q): %v", text, err)
			continue
		}
		got := [][2]string{}
		for _, h := range headers {
			got = append(got, [2]string{h.Name, h.Value})
		}
		w := want[i]
		if w.Headers == nil {
			w.Headers = [][2]string{}
		}
		for j := range w.Headers {
			w.Headers[j][1] = eol.Replace(w.Headers[j][1]) // Headers joins folded lines with "\n"
		}
		if w.Body == nil || !reflect.DeepEqual(got, w.Headers) || body != *w.Body {
			mismatches++
			t.Errorf("text %q:\ngot  %q body %q\nwant %q body %v", text, got, body, w.Headers, w.Body)
			if mismatches > 10 {
				t.FailNow()
			}
		}
	}
	t.Logf("compared %d texts with Python's email.parser, %d mismatches", n, mismatches)
	fmt.Printf("metadata: differential vs email.parser: %d texts, %d mismatches\n", n, mismatches)
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"v1_0.txt", "v1_1.txt", "v1_2.txt", "v2_1.txt", "v2_2.txt", "v2_3.txt", "v2_4.txt"} {
		f.Add(mustRead(f, "testdata/"+name))
	}
	f.Add([]byte("Metadata-Version: 2.1\nName: x\nVersion: 1\n :\nFrom x\n\r\n\r"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse("METADATA", data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %v is not an *Error", err)
			}
			return
		}
		if m.Name == "" || len(m.Get("name")) == 0 {
			t.Errorf("parsed without a name: %q", data)
		}
		// the headers and body are the parser's whole view of the text
		for _, h := range m.Headers() {
			if h.Line < 1 || strings.ContainsAny(h.Name, ": \r\n") {
				t.Errorf("bad header %+v", h)
			}
		}
		_, _ = ParseWheel("WHEEL", data)
	})
}

// FuzzHeadersRoundTrip checks that headers and body written back in their
// normal form ("Name: value", folded lines kept, a blank line, the body)
// parse to the same headers and body.
func FuzzHeadersRoundTrip(f *testing.F) {
	for _, name := range []string{"v1_0.txt", "v2_1.txt", "v2_4.txt"} {
		f.Add(mustRead(f, "testdata/"+name))
	}
	f.Add([]byte("A: 1\n\tx\r\nFrom y\n:z\n\nbody"))
	f.Fuzz(func(t *testing.T, data []byte) {
		headers, body, err := parseHeaders("METADATA", data)
		if err != nil {
			return
		}
		var b strings.Builder
		for _, h := range headers {
			b.WriteString(h.Name + ": " + h.Value + "\n")
		}
		b.WriteString("\n" + body)
		headers2, body2, err := parseHeaders("METADATA", []byte(b.String()))
		if err != nil {
			t.Fatalf("normal form %q: %v", b.String(), err)
		}
		if len(headers) != len(headers2) || body != body2 {
			t.Fatalf("normal form %q parsed to %v, %q; want %v, %q", b.String(), headers2, body2, headers, body)
		}
		for i := range headers {
			if headers[i].Name != headers2[i].Name || headers[i].Value != headers2[i].Value {
				t.Fatalf("header %d: %+v after the round trip, want %+v", i, headers2[i], headers[i])
			}
		}
	})
}

func mustRead(f *testing.F, name string) []byte {
	data, err := testdataFS.ReadFile(name)
	if err != nil {
		f.Fatal(err)
	}
	return data
}

func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nSummary: Python HTTP for Humans.\nRequires-Python: >=3.7\n")
	for i := range 40 {
		fmt.Fprintf(&sb, "Classifier: Programming Language :: Python :: 3.%d\n", i)
	}
	sb.WriteString("Provides-Extra: socks\nRequires-Dist: charset-normalizer<4,>=2\nRequires-Dist: idna<4,>=2.5\nRequires-Dist: urllib3<3,>=1.21.1\nRequires-Dist: PySocks!=1.5.7,>=1.5.6; extra == \"socks\"\n\n")
	sb.WriteString(strings.Repeat("A long description line of the project README.\n", 400))
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("METADATA", data); err != nil {
			b.Fatal(err)
		}
	}
}
