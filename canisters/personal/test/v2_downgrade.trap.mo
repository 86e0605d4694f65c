// expect-trap: personal/2.0.0 refuses to downgrade: the stored data has data_version 3
import Upgrade "../2.0.0/Upgrade";
ignore Upgrade.migration({ data_version = 3 });
