// expect-trap: personal/3.0.0 refuses to downgrade: the stored data has data_version 4
import Upgrade "../3.0.0/Upgrade";
ignore Upgrade.migration({ data_version = 4 });
