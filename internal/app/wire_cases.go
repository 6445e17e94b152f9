package app

import (
	"github.com/amparo-ec/amparo/internal/cases"
)

func init() {
	addModule(module{
		name: "cases",
		setup: func(a *App) error {
			a.Cases = cases.NewService(a.DB, a.Audit, a.Keyring, a.Auth)
			return nil
		},
	})
}
