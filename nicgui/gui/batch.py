"""Batch compression: a folder (or the open file list) to .nic files, with progress and cancel.

The work runs on the worker, one file per step; this dialog only chooses, starts, cancels and
reports. Existing .nic files are skipped unless the user ticks 'Overwrite'.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from nicgui.app.batch import BatchSummary
from nicgui.app.results import BatchProgress, Failure
from nicgui.app.text import plural
from nicgui.gui.client import CodecClient
from nicgui.imagefiles import images_in, is_image


class BatchDialog(QDialog):
    """Compress many images at one quality; shows progress and a summary at the end."""

    def __init__(
        self,
        client: CodecClient,
        quality: int,
        file_list: list[Path],
        folder: Path | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Batch compress to .nic")
        self.client = client
        self.job: int | None = None
        self.summary: BatchSummary | None = None
        self._list = [p for p in file_list if is_image(p)]

        self.from_folder = QRadioButton("Images in folder")
        self.from_list = QRadioButton(f"The open file list ({plural(len(self._list), 'image')})")
        self.from_list.setEnabled(bool(self._list))
        group = QButtonGroup(self)
        group.addButton(self.from_folder)
        group.addButton(self.from_list)
        (self.from_list if self._list and folder is None else self.from_folder).setChecked(True)
        self.folder = QLineEdit(str(folder or ""))
        self.folder.setMinimumWidth(420)  # room for a real path
        self.folder.setPlaceholderText("folder with images")
        row = _path_row(self.folder, self._browse)

        self.output = QLineEdit()
        self.output.setMinimumWidth(420)
        self.output.setPlaceholderText("next to each image")
        self.output.setToolTip("Folder for the .nic files; empty writes each one next to its image.")
        out_row = _path_row(self.output, self._browse_output)

        self.quality = QSpinBox()
        self.quality.setRange(1, 100)
        self.quality.setValue(quality)
        self.quality.setToolTip("1..100; higher keeps more detail in bigger files.")
        self.overwrite = QCheckBox("Overwrite existing .nic files")
        self.overwrite.setToolTip("Off: files whose .nic already exists are skipped and counted in the summary.")

        form = QFormLayout()
        form.addRow(self.from_folder, row)
        form.addRow(self.from_list)
        form.addRow("Save to", out_row)
        form.addRow("Quality", self.quality)
        form.addRow(self.overwrite)

        self.progress = QProgressBar()
        self.progress.setFormat("%v of %m")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.start_button = self.buttons.addButton("Start", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button = self.buttons.addButton("Close", QDialogButtonBox.ButtonRole.DestructiveRole)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.close)
        self.cancel_button.setEnabled(False)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        client.batch_progress.connect(self._progress)
        client.batch_done.connect(self._done)
        client.failed.connect(self._failed)

    def files(self) -> list[Path]:
        if self.from_list.isChecked():
            return list(self._list)
        text = self.folder.text().strip()
        folder = Path(text) if text else None
        if folder is None or not folder.is_dir():
            raise ValueError(f"not a folder: {text or '(none chosen)'}")
        return images_in(folder)

    def start(self) -> None:
        try:
            files = self.files()
        except (ValueError, OSError) as e:
            self.status.setText(str(e))
            return
        if not files:
            self.status.setText("No images to compress there.")
            return
        out = self.output.text().strip()
        out_dir = Path(out) if out else None
        if out_dir is not None and not out_dir.is_dir():
            self.status.setText(f"not a folder: {out}")
            return
        self.summary = None
        self.progress.setRange(0, len(files))
        self.progress.setValue(0)
        self.status.setText(f"Compressing {plural(len(files), 'image')} at quality {self.quality.value()}…")
        self.start_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.job = self.client.batch(files, out_dir, self.quality.value(), self.overwrite.isChecked())

    def cancel(self) -> None:
        if self.job is not None and self.summary is None:
            self.client.cancel_batch()
            self.status.setText("Cancelling after the current file…")
        else:
            self.reject()

    def _progress(self, p: BatchProgress) -> None:
        if p.job == self.job:
            self.progress.setValue(p.done)
            self.status.setText(f"{p.done} of {p.total}: {p.name}")

    def _done(self, s: BatchSummary) -> None:
        if s.job != self.job:
            return
        self.summary = s
        self.start_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        text = s.describe()
        if s.errors:
            text += "\n" + "\n".join(s.errors[:5]) + ("\n…" if len(s.errors) > 5 else "")
        self.status.setText(text)

    def _failed(self, f: Failure) -> None:
        if f.job is not None and f.job == self.job:
            self.status.setText(f.message)
            self.start_button.setEnabled(True)
            self.cancel_button.setEnabled(False)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if self.job is not None and self.summary is None:
            self.client.cancel_batch()
        super().closeEvent(event)

    def _browse(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "Folder with images", self.folder.text())
        if d:
            self.folder.setText(d)
            self.from_folder.setChecked(True)

    def _browse_output(self) -> None:
        d = QFileDialog.getExistingDirectory(self, "Save .nic files to", self.output.text() or self.folder.text())
        if d:
            self.output.setText(d)


def _path_row(edit: QLineEdit, on_browse) -> QHBoxLayout:
    """A path field with its "Browse…" button."""
    browse = QPushButton("Browse…")
    browse.clicked.connect(on_browse)
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(browse)
    return row
