package app

import (
	"github.com/amparo-ec/amparo/internal/referrals"
)

func init() {
	addModule(module{
		name: "referrals",
		setup: func(a *App) error {
			a.Referrals = referrals.NewService(a.DB, a.Audit, a.Keyring, a.Cases, a.Auth)
			return nil
		},
	})
}
