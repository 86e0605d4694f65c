// expect-trap: personal/1.0.0 refuses to downgrade: the stored data has data_version 2
import Upgrade "../1.0.0/Upgrade";
ignore Upgrade.migration({ data_version = 2 });
