//! The fake Discord on its own, driven by a bare serenity client (no poise, no bot code).

#[tokio::test]
async fn placeholder() {
    let fake = crate::fake::FakeDiscord::start().await;
    fake.assert_no_violations().await;
}
