package mgmt

// Method describes one management canister method.
type Method struct {
	Name string
	// Ingress: users may call it with an ingress message. Methods that only
	// canisters may call are refused at pre-processing, as the IC does.
	Ingress bool
	// Canister: other canisters may call it.
	Canister bool
	// Controllers: only the target canister's controllers may call it.
	Controllers bool
	// SelfToo: the target canister itself may also call it (canister_status).
	SelfToo bool
	// Untargeted methods manage no existing canister (create, raw_rand):
	// any effective canister id is fine.
	Untargeted bool
}

// methods is the table of the methods this replica serves.
var methods = map[string]Method{
	"provisional_create_canister_with_cycles": {Ingress: true, Canister: true, Untargeted: true},
	"provisional_top_up_canister":             {Ingress: true, Canister: true},
	"create_canister":                         {Canister: true, Untargeted: true},
	"deposit_cycles":                          {Canister: true},
	"raw_rand":                                {Canister: true, Untargeted: true},
	"install_code":                            {Ingress: true, Canister: true, Controllers: true},
	"uninstall_code":                          {Ingress: true, Canister: true, Controllers: true},
	"update_settings":                         {Ingress: true, Canister: true, Controllers: true},
	"canister_status":                         {Ingress: true, Canister: true, Controllers: true, SelfToo: true},
	"start_canister":                          {Ingress: true, Canister: true, Controllers: true},
	"stop_canister":                           {Ingress: true, Canister: true, Controllers: true},
	"delete_canister":                         {Ingress: true, Canister: true, Controllers: true},
	"take_canister_snapshot":                  {Ingress: true, Canister: true, Controllers: true},
	"load_canister_snapshot":                  {Ingress: true, Canister: true, Controllers: true},
	"list_canister_snapshots":                 {Ingress: true, Canister: true, Controllers: true},
	"delete_canister_snapshot":                {Ingress: true, Canister: true, Controllers: true},
}

// Lookup finds a method by name.
func Lookup(name string) (Method, bool) {
	m, ok := methods[name]
	m.Name = name
	return m, ok
}
