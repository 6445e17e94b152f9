package app

import (
	"github.com/amparo-ec/amparo/internal/shelters"
)

func init() {
	addModule(module{
		name: "shelters",
		setup: func(a *App) error {
			a.Shelters = shelters.NewService(a.DB, a.Audit, a.Keyring, a.Cases)
			return nil
		},
	})
}
