package resolver

import (
	"github.com/safepip/safepip/pypa/metadata"
	"github.com/safepip/safepip/pypa/pep508"
)

// crawl fetches ahead of the solver along the likely path: once the
// metadata of a version the solver will probably choose is known, the
// pages of the projects it depends on are fetched in the background, and
// (through prefetchBest) the metadata of their likely versions, which
// crawls on. The solver decides one package at a time; without this every
// decision would wait for its own round trips. Work is bounded by the
// provider's semaphore and de-duplicated by the per-project and
// per-version memos; errors are left for the solver's own calls, and
// everything stops when Resolve returns (p.bg is cancelled then).
func (p *provider) crawl(md *metadata.Metadata) {
	for _, r := range md.RequiresDist {
		ok, err := p.applies(r, "")
		if err != nil || !ok || r.URL != "" {
			continue
		}
		name := pep508.NormalizeName(r.Name)
		p.mu.Lock()
		_, known := p.projects[name]
		p.mu.Unlock()
		if known {
			continue // fetched or being fetched: the solver or a crawl has it
		}
		spec := r.Specifier
		go func() {
			select {
			case p.crawlSem <- struct{}{}:
			case <-p.bg.Done():
				return
			}
			st, err := p.project(p.bg, name)
			<-p.crawlSem
			if err != nil {
				return
			}
			set, _ := p.quietSetFor(name, st, spec)
			p.prefetchBest(name, st, set)
		}()
	}
}
