package main

import "math/rand/v2"

// picker chooses the agency and worker of each case, deterministically.
type picker struct {
	r     *rand.Rand
	ags   []*agency
	total float64
}

func newPicker(seed uint64, ags []*agency) *picker {
	p := &picker{r: rand.New(rand.NewPCG(seed+1, seed^0x5851f42d4c957f2d)), ags: ags}
	for _, a := range ags {
		p.total += a.def.share
	}
	return p
}

func (p *picker) agency() *agency {
	x := p.r.Float64() * p.total
	for _, a := range p.ags {
		if x < a.def.share {
			return a
		}
		x -= a.def.share
	}
	return p.ags[len(p.ags)-1]
}

func (p *picker) worker(a *agency) string { return a.workers[p.r.IntN(len(a.workers))] }
