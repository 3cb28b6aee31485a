"""Print the settings table of docs/configuration.md from the registry (keeps the docs true)."""

from __future__ import annotations

import importlib
import json
import pkgutil


def main() -> None:
    """Import every module (settings register at import) and print one table row per setting."""
    for package_name in ("papershelf.sync", "papershelf.feeds", "papershelf.server"):
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            if not info.name.endswith("__main__"):
                importlib.import_module(info.name)
    from papershelf.sync.settings import SETTINGS

    print("| setting | default | what it does |")
    print("|---|---|---|")
    for key in sorted(SETTINGS):
        setting = SETTINGS[key]
        default = json.dumps(setting.default, ensure_ascii=False)
        print(f"| `{key}` | `{default}` | {setting.help} |")


if __name__ == "__main__":
    main()
