//! Mounts the playground; everything else lives in the library. The same wasm also runs the
//! trainer in a Web Worker (`web/worker.js` calls `worker_main`), where there is nothing to mount.
fn main() {
    if app::on_page() {
        app::install_panic_banner();
        leptos::mount::mount_to_body(app::App);
    }
}
