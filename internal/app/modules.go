package app

import (
	"sort"

	"github.com/amparo-ec/amparo/internal/platform/access"
	"github.com/amparo-ec/amparo/internal/platform/web"
)

// module is one capability mounted by the app. Each capability has its own
// wire_<name>.go file in this package that registers a module in init(), so adding a
// capability never means editing a shared list.
type module struct {
	name      string
	setup     func(a *App) error       // builds the capability's services (after auth)
	templates func() web.TemplateSet   // its pages
	routes    func(a *App) []web.Route // its routes (called after setup and web)
	nav       []navEntry               // its side-menu entries
}

// navEntry is one side-menu entry, shown only to roles with its permission.
type navEntry struct {
	order    int
	path     string
	label    string
	action   access.Action
	resource access.Resource
}

var modules []module

func addModule(m module) {
	modules = append(modules, m)
	sort.Slice(modules, func(i, j int) bool { return modules[i].name < modules[j].name })
}
