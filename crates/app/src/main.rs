//! Mounts the playground; everything else lives in the library.
fn main() {
    app::install_panic_banner();
    leptos::mount::mount_to_body(app::App);
}
