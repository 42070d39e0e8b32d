"""Where the shipped data lives (registry, column-type table, sandbox fleet)."""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_DIR / "data"
REGISTRY_CSV = DATA_DIR / "portals.csv"
SANDBOX_REGISTRY_CSV = DATA_DIR / "sandbox" / "portals.csv"
COLUMN_TYPES_CSV = DATA_DIR / "column_types.csv"
DEFAULT_DB = DATA_DIR / "monitor.db"
